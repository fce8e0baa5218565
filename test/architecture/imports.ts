// The module specifiers a TypeScript file names: static imports and re-exports (type-only ones too:
// they couple the layers as much), `import('...')` and `require('...')`. A small tokenizer rather than
// regular expressions over the text, so that comments, strings, template literals and regular
// expressions (an IAM ARN ending in `/*`, a quote inside a regex) never read as code.

type Token = {kind: 'word' | 'string' | 'punct'; value: string}

const WORD = /[A-Za-z0-9_$]/
/** Words after which a `/` starts a regular expression rather than dividing. */
const BEFORE_REGEX = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await'])

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  // Open template literals: the depth of `{` inside each `${ ... }` being read.
  const templates: number[] = []
  let i = 0
  const regexAllowed = (): boolean => {
    const last = tokens.at(-1)
    if (!last) return true
    if (last.kind === 'string') return false
    if (last.kind === 'word') return BEFORE_REGEX.has(last.value)
    return !/^[)\]}]$/.test(last.value)
  }
  /** Reads a template literal's text from i (after ` or the } of a substitution) to its end (a string
   * token) or to the next `${` (a punctuation token: an expression follows). */
  const templateText = (): void => {
    let value = ''
    while (i < text.length) {
      const c = text[i]!
      if (c === '\\') {
        value += text.slice(i, i + 2)
        i += 2
      } else if (c === '`') {
        i++
        templates.pop()
        tokens.push({kind: 'string', value})
        return
      } else if (c === '$' && text[i + 1] === '{') {
        i += 2
        tokens.push({kind: 'punct', value: '${'})
        return
      } else {
        value += c
        i++
      }
    }
  }
  while (i < text.length) {
    const c = text[i]!
    const next = text[i + 1]
    if (/\s/.test(c)) {
      i++
    } else if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end < 0 ? text.length : end + 2
    } else if (c === "'" || c === '"') {
      let j = i + 1
      let value = ''
      while (j < text.length && text[j] !== c && text[j] !== '\n') {
        if (text[j] === '\\') j++
        value += text[j] ?? ''
        j++
      }
      tokens.push({kind: 'string', value})
      i = j + 1
    } else if (c === '`') {
      i++
      templates.push(0)
      templateText()
    } else if (c === '}' && templates.length && templates.at(-1) === 0) {
      // The end of a `${ ... }`: back into the template's text.
      i++
      templateText()
    } else if (c === '/' && regexAllowed()) {
      let j = i + 1
      let inClass = false
      while (j < text.length && text[j] !== '\n' && (inClass || text[j] !== '/')) {
        if (text[j] === '\\') j++
        else if (text[j] === '[') inClass = true
        else if (text[j] === ']') inClass = false
        j++
      }
      j++
      while (j < text.length && WORD.test(text[j]!)) j++
      tokens.push({kind: 'punct', value: 'regex'})
      i = j
    } else if (WORD.test(c)) {
      let j = i
      while (j < text.length && WORD.test(text[j]!)) j++
      tokens.push({kind: 'word', value: text.slice(i, j)})
      i = j
    } else {
      if (templates.length && c === '{') templates[templates.length - 1]!++
      if (templates.length && c === '}') templates[templates.length - 1]!--
      tokens.push({kind: 'punct', value: c})
      i++
    }
  }
  return tokens
}

/** Every module specifier the file imports or re-exports, in order. */
export function importsOf(text: string): string[] {
  const tokens = tokenize(text)
  const out: string[] = []
  tokens.forEach((t, k) => {
    const next = tokens[k + 1]
    const after = tokens[k + 2]
    const previous = tokens[k - 1]
    // `from '...'` ends every import and re-export declaration; nothing else puts a string there.
    if (t.kind === 'word' && t.value === 'from' && next?.kind === 'string' && previous?.value !== '.') out.push(next.value)
    // `import '...'` (for its effects only).
    else if (t.kind === 'word' && t.value === 'import' && next?.kind === 'string' && previous?.value !== '.') out.push(next.value)
    // `import('...')` and `require('...')`.
    else if (t.kind === 'word' && (t.value === 'import' || t.value === 'require') && previous?.value !== '.' && next?.value === '(' && after?.kind === 'string') out.push(after.value)
  })
  return out
}
