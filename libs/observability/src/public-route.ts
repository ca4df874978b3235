/** Metadata key for routes that answer without an API key (health, metrics). */
export const PUBLIC_ROUTE = 'hookledger:public';
