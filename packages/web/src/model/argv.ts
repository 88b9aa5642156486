/**
 * Splits a command line into argv the way a POSIX shell splits words, with single and double
 * quotes and backslash escapes, but nothing else: no variables, globs or pipes. The agent runs
 * argv directly, so this only saves typing one argument per line. Throws on an open quote.
 */
export function splitArgv (line: string): string[] {
  const out: string[] = []
  let cur = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? ''
    if (quote === "'") {
      if (c === "'") quote = null
      else cur += c
    } else if (quote === '"') {
      if (c === '"') quote = null
      else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) cur += line[++i] ?? ''
      else cur += c
    } else if (c === "'" || c === '"') {
      quote = c
      inWord = true
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i] ?? ''
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur)
      cur = ''
      inWord = false
    } else {
      cur += c
      inWord = true
    }
  }
  if (quote !== null) throw new Error(`unclosed ${quote} quote`)
  if (inWord) out.push(cur)
  return out
}
