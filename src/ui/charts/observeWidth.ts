// The width of a chart's box, for the d3 drawing. Svelte's bind:clientWidth reads clientWidth as
// soon as the element mounts, which forces the browser to lay out the whole page there and then
// (measured: 40-90 ms while the page mounts). A ResizeObserver is told the size after the
// browser's own layout instead, so it never forces one.

/** An attachment ({@attach observeWidth(set)}) that calls `set` with the element's width whenever it changes. */
export function observeWidth(set: (width: number) => void): (el: HTMLElement) => () => void {
  return (el) => {
    const observer = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1].contentRect;
      set(Math.floor(box.width));
    });
    observer.observe(el);
    return () => observer.disconnect();
  };
}
