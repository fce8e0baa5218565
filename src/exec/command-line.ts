// Command lines as ECS Exec treats them. Inside a task, the SSM agent splits the ExecuteCommand
// `command` into words with POSIX-shell quoting (no shell: no `$`, `;` or `|`) and runs the first word
// as the program. The local agent splits the same way, and Pier's client quotes so that the split
// gives back exactly the words it meant.

/** Quotes one word so that both a POSIX shell and the agent's splitter read it back unchanged. */
export function quoteWord(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`
}

/**
 * Splits a command line into words: blanks separate words; 'single quotes' keep everything literally;
 * "double quotes" and bare words take a backslash as escaping the next character; a `#` that starts a
 * word starts a comment. Throws on an unterminated quote.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = []
  let word: string | undefined
  let i = 0
  const push = (s: string) => (word = (word ?? '') + s)
  while (i < line.length) {
    const c = line[i]!
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word)
      word = undefined
      i++
    } else if (c === '#' && word === undefined) {
      while (i < line.length && line[i] !== '\n') i++
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1)
      if (end < 0) throw new Error('the command has an unterminated single quote')
      push(line.slice(i + 1, end))
      i = end + 1
    } else if (c === '"') {
      let s = ''
      i++
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) i++
        s += line[i]
        i++
      }
      if (i >= line.length) throw new Error('the command has an unterminated double quote')
      push(s)
      i++
    } else if (c === '\\') {
      if (i + 1 < line.length) push(line[i + 1]!)
      i += 2
    } else {
      push(c)
      i++
    }
  }
  if (word !== undefined) words.push(word)
  return words
}
