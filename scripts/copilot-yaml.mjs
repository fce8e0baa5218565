// Which manifests Copilot's YAML reader (gopkg.in/yaml.v3, a port of libyaml) refuses, for the compat
// check: a file Pier refuses that Copilot refused too is not a gap. One cause is known in real
// workspaces: a plain value or key that starts with `*` is an alias to yaml.v3, whose name must be
// one or more of [0-9A-Za-z_-] followed by a blank or one of ?:,]}%@` ("did not find expected
// alphabetic or numeric character"); e.g. a key redacted to `***REMOVED***`.

const ALIAS_NAME = /^[0-9A-Za-z_-]+(?=$|[\s?:,\]}%@`])/

/**
 * Where yaml.v3 stops on the text, as `line N: reason`, or undefined when this check finds nothing.
 * Only what starts a node in block style is looked at: after indentation, `- `, `key: ` or `? `.
 */
export function yamlV3Refusal(text) {
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (/^\s*#/.test(line)) continue
    for (const m of line.matchAll(/(?:^\s*(?:-\s+)*|:\s+|\?\s+)\*/g)) {
      const before = line.slice(0, m.index)
      // Inside a quoted scalar or a comment the `*` is text.
      if (/(^|\s)#/.test(before) || (before.split("'").length - 1) % 2 === 1 || (before.split('"').length - 1) % 2 === 1) continue
      const rest = line.slice(m.index + m[0].length)
      if (!ALIAS_NAME.test(rest)) {
        return `line ${i + 1}: \`*\` starts an alias and no alias name follows (yaml.v3: "did not find expected alphabetic or numeric character")`
      }
    }
  }
  return undefined
}
