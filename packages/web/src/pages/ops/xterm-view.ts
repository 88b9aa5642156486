// Loaded with import() only when a terminal or a recording is shown: xterm.js is most of the
// terminal page's weight and the console's first load must stay small.
import { Terminal } from '@xterm/xterm'
import { FitAddon } from '@xterm/addon-fit'
import '@xterm/xterm/css/xterm.css'
import { withAdoptedStyles } from '../../components/xterm-styles.ts'

/** A terminal in a container: xterm.js plus fitting to the container's size. */
export interface XtermView {
  readonly term: Terminal
  /** Fits columns and rows to the container (live terminals); no-op for fixed-size replays. */
  fit (): void
  dispose (): void
}

const THEME = { background: '#11161c', foreground: '#e8edf2', cursor: '#6cb2ff', selectionBackground: '#33577a' }

/**
 * Opens xterm.js in `container`. `size` fixes the grid (a recording's size); without it the grid
 * follows the container (a live session on a phone or a desktop).
 */
export function openXterm (container: HTMLElement, opts: { readOnly: boolean, size?: { cols: number, rows: number } }): XtermView {
  const term = new Terminal({
    cursorBlink: !opts.readOnly, disableStdin: opts.readOnly, fontSize: 14, scrollback: 5000, theme: THEME,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
    ...(opts.size === undefined ? {} : { cols: opts.size.cols, rows: opts.size.rows })
  })
  const fitter = new FitAddon()
  term.loadAddon(fitter)
  const { release } = withAdoptedStyles(() => term.open(container))
  const fit = (): void => {
    if (opts.size !== undefined) return
    // Fitting a hidden container measures nothing and would shrink the grid to the minimum.
    if (container.clientWidth === 0 || container.clientHeight === 0) return
    fitter.fit()
  }
  fit()
  return { term, fit, dispose: () => { term.dispose(); release() } }
}
