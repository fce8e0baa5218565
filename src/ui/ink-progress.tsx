// The interactive progress view: a tree of stacks and their resources (Copilot's descriptions as
// labels), statuses and timers, with the ECS rollout and stopped tasks nested under the service.
import {Box, Text} from 'ink'

import type {ProgressState, ResourceView, StackView} from './progress-state.js'

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

function icon(status: string | undefined, now: number) {
  if (!status) return <Text dimColor>○</Text>
  if (/ROLLBACK|FAILED/.test(status)) return <Text color="red">✘</Text>
  if (status.endsWith('_IN_PROGRESS') || status === 'PREPARING') return <Text color="cyan">{SPINNER[Math.floor(now / 100) % SPINNER.length]}</Text>
  if (status === 'NO_CHANGES') return <Text dimColor>–</Text>
  return <Text color="green">✔</Text>
}

function seconds(from: number | undefined, to: number | undefined, now: number): string {
  if (from === undefined) return ''
  return ` [${(((to ?? now) - from) / 1000).toFixed(1)}s]`
}

function Resource({r, now}: {r: ResourceView; now: number}) {
  const ro = r.rollout
  return (
    <Box flexDirection="column" marginLeft={2}>
      <Text>
        {icon(r.status, now)} {r.description ?? r.logicalId}
        <Text dimColor>{seconds(r.startedAt, r.endedAt, now)}</Text>
      </Text>
      {r.reason && /FAILED/.test(r.status ?? '') ? <Text color="red">{'    '}{r.reason}</Text> : null}
      {ro ? (
        <Box flexDirection="column" marginLeft={4}>
          <Text>
            Deployment: <Text color="green">{ro.running} running</Text> / {ro.desired} desired, {ro.pending} pending,{' '}
            <Text color={ro.failed > 0 ? 'red' : undefined}>{ro.failed} failed</Text>
            {ro.rolloutState ? <Text dimColor> ({ro.rolloutState})</Text> : null}
          </Text>
          {ro.stopped.slice(-3).map((t) => (
            <Box key={t.taskId} flexDirection="column">
              <Text color="red">
                ✘ task {t.taskId} stopped: {t.reason}
                {t.exitCode === undefined ? '' : ` (exit code ${t.exitCode})`}
              </Text>
              {t.logLines.slice(-5).map((l, i) => (
                <Text key={i} dimColor>
                  {'    │ '}
                  {l}
                </Text>
              ))}
            </Box>
          ))}
        </Box>
      ) : null}
    </Box>
  )
}

function Stack({s, now}: {s: StackView; now: number}) {
  return (
    <Box flexDirection="column">
      <Text>
        {icon(s.status, now)} <Text bold>{s.name}</Text> <Text dimColor>{s.status === 'NO_CHANGES' ? 'no changes' : s.status}</Text>
        <Text dimColor>{seconds(s.startedAt, s.endedAt, now)}</Text>
      </Text>
      {s.resources.filter((r) => r.status || r.rollout).map((r) => (
        <Resource key={r.logicalId} r={r} now={now} />
      ))}
    </Box>
  )
}

export function Progress({state, now}: {state: ProgressState; now: number}) {
  return (
    <Box flexDirection="column">
      {state.steps.map((st) => (
        <Text key={st.name}>
          {st.status === 'done' ? <Text color="green">✔</Text> : st.status === 'failed' ? <Text color="red">✘</Text> : st.status === 'skipped' ? <Text dimColor>–</Text> : <Text color="cyan">{SPINNER[Math.floor(now / 100) % SPINNER.length]}</Text>} {st.message}
        </Text>
      ))}
      {state.stacks.map((s) => (
        <Stack key={s.name} s={s} now={now} />
      ))}
      {state.notes.map((n, i) => (
        <Text key={i} color="yellow">
          {n}
        </Text>
      ))}
    </Box>
  )
}
