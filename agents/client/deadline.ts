/**
 * A call's deadline that counts only time the console could have read an answer in.
 *
 * A timer that expires while the event loop was busy (a large store write, a burst of answers
 * from hundreds of appliances) runs before the I/O that arrived meanwhile is read — Node runs
 * expired timers before it polls for I/O — so a healthy machine whose answer sits in the socket
 * would time out and be shown as not answering. Here an expiry first lets one I/O poll pass
 * (setImmediate runs after it), and a timer that fired late by more than `LATE_MS` (the loop was
 * blocked) waits again for as long as it was late, at most one more full wait.
 */
const LATE_MS = 250;

export function startDeadline(ms: number, onExpire: () => void): { cancel(): void } {
  let timer: NodeJS.Timeout | null = null;
  let immediate: NodeJS.Immediate | null = null;
  let extended = false;
  const arm = (delay: number) => {
    const due = performance.now() + delay;
    timer = setTimeout(() => {
      timer = null;
      const late = performance.now() - due;
      if (late > LATE_MS && !extended) {
        extended = true;
        return arm(Math.min(late, ms));
      }
      immediate = setImmediate(() => {
        immediate = null;
        onExpire();
      });
    }, delay);
  };
  arm(ms);
  return {
    cancel() {
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      timer = null;
      immediate = null;
    },
  };
}
