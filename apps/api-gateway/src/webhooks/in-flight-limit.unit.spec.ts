import { InFlightLimit } from './in-flight-limit';

/** A task that runs until the test lets it finish. */
function heldTask() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { task: async () => { await done; return 'ran'; }, release };
}

describe('InFlightLimit', () => {
  it('runs up to its capacity at once and refuses one more without running it', async () => {
    const limit = new InFlightLimit(2);
    const [first, second] = [heldTask(), heldTask()];
    const running = [limit.run(first.task, () => 'refused'), limit.run(second.task, () => 'refused')];
    let thirdRan = false;
    expect(await limit.run(async () => { thirdRan = true; return 'ran'; }, () => 'refused')).toBe('refused');
    expect(thirdRan).toBe(false);
    first.release();
    second.release();
    expect(await Promise.all(running)).toEqual(['ran', 'ran']);
  });

  it('frees the slot when a task finishes or fails', async () => {
    const limit = new InFlightLimit(1);
    await expect(limit.run(async () => { throw new Error('receiver exploded'); }, () => 'refused')).rejects.toThrow('receiver exploded');
    expect(await limit.run(async () => 'ran', () => 'refused')).toBe('ran');
    const held = heldTask();
    const running = limit.run(held.task, () => 'refused');
    expect(await limit.run(async () => 'ran', () => 'refused')).toBe('refused');
    held.release();
    await running;
    expect(await limit.run(async () => 'ran', () => 'refused')).toBe('ran');
  });
});
