/**
 * Requests acknowledged and waiting for Bolt, oldest first. An array with a moving head: taking is
 * O(1), and a taken slot is cleared at once so the request's text can be collected.
 */
export class AckedQueue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest waiting item, left in the queue (undefined when none waits). */
  peek(): T | undefined {
    return this.length === 0 ? undefined : this.items[this.head];
  }

  /** The oldest waiting item (undefined when none waits). */
  take(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // Drop the taken part once it is most of the array.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
