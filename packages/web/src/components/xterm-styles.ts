/**
 * xterm.js writes part of its styling into `<style>` elements it creates (theme colours, row
 * sizes, scroll bar). The console runs under `style-src 'self'`, which blocks those. Rather than
 * weaken the policy with `'unsafe-inline'`, the `<style>` elements xterm asks for while `fn` runs
 * are replaced by inert `<template>` stand-ins whose text goes into constructable style sheets
 * (CSSOM, which the policy does not govern because no markup is parsed as style).
 * Returns `fn`'s value and a function that removes the sheets again.
 */
export function withAdoptedStyles<T> (fn: () => T): { value: T, release: () => void } {
  const doc = document
  const sheets: CSSStyleSheet[] = []
  const create = Document.prototype.createElement
  const drop = (sheet: CSSStyleSheet): void => { doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter(s => s !== sheet) }
  const replacement = function (this: Document, tag: string, options?: ElementCreationOptions): HTMLElement {
    if (tag.toLowerCase() !== 'style') return create.call(doc, tag, options)
    const sheet = new CSSStyleSheet()
    sheets.push(sheet)
    doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet]
    const holder = create.call(doc, 'template')
    let text = ''
    Object.defineProperty(holder, 'textContent', {
      get: () => text,
      set: (v: string | null) => { text = v ?? ''; sheet.replaceSync(text) }
    })
    const remove = holder.remove.bind(holder)
    holder.remove = () => { drop(sheet); remove() }
    return holder
  }
  Object.defineProperty(doc, 'createElement', { value: replacement, configurable: true, writable: true })
  try {
    return { value: fn(), release: () => { for (const s of sheets) drop(s) } }
  } finally {
    delete (doc as { createElement?: unknown }).createElement
  }
}
