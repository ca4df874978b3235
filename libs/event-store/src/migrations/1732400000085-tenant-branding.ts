import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `tenants.branding`: the customer portal's look for the tenant ({name, logo_url, accent_color},
 * only the fields set), projected from TenantCreated/TenantUpdated. No rebuild: no event written
 * before this carries branding, so every existing tenant is unbranded, which is what a rebuild gives.
 */
export class TenantBranding1732400000085 implements MigrationInterface {
  name = 'TenantBranding1732400000085';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE tenants ADD COLUMN branding jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE tenants DROP COLUMN branding`);
  }
}
