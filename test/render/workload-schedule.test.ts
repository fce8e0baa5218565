// `on.schedule` to an EventBridge expression: rates in days, hours and minutes, whitespace, the
// day-of-month/day-of-week rule EventBridge imposes, and the messages for schedules it cannot take.
import {describe, expect, it} from 'vitest'

import {RenderError, scheduleExpression} from '../../src/render/index.js'

describe('on.schedule', () => {
  it.each([
    ['@every 48h', 'rate(2 days)'],
    ['@every 1h', 'rate(1 hour)'],
    ['@every 60m', 'rate(1 hour)'],
    ['@every 2h', 'rate(2 hours)'],
    ['@every 2m', 'rate(2 minutes)'],
    ['  @daily  ', 'cron(0 0 * * ? *)'],
    ['  rate(5 minutes) ', 'rate(5 minutes)'],
    ['0  9 *   * 1', 'cron(0 9 ? * 2 *)'],
    ['0 0 * * ?', 'cron(0 0 * * ? *)'],
    ['0 0 ? * *', 'cron(0 0 * * ? *)'],
    ['0 0 1 * ?', 'cron(0 0 1 * ? *)'],
    ['0 0 */2 * *', 'cron(0 0 */2 * ? *)'],
    ['0 0 */2 * 1', 'cron(0 0 ? * 2 *)'],
    ['0 0 * * 1-5/2', 'cron(0 0 ? * 2-6/2 *)'],
    ['0 0 * * 0,6', 'cron(0 0 ? * 1,7 *)'],
    ['0 0 * * 1-5/2,0', 'cron(0 0 ? * 2-6/2,1 *)'],
    ['0 0 ? * 1', 'cron(0 0 ? * 2 *)'],
    ['0 0 * * 7', 'cron(0 0 ? * 1 *)'],
    ['0 0 1 * */2', 'cron(0 0 1 * ? *)'],
    ['0 0 * * MON-FRI', 'cron(0 0 ? * MON-FRI *)'],
  ])('%s -> %s', (input, expected) => {
    expect(scheduleExpression(input)).toBe(expected)
  })

  it('refuses a cron with both a day of the month and a day of the week, which EventBridge refuses', () => {
    expect(() => scheduleExpression('0 0 1 * 1')).toThrow(new RenderError('on.schedule "0 0 1 * 1" sets both a day of the month (1) and a day of the week (1): EventBridge takes only one; set the other to *'))
  })

  it('refuses what is not an AWS expression rather than passing it on', () => {
    for (const s of ['xrate(5 minutes)', 'rate(5 minutes) daily']) {
      expect(() => scheduleExpression(s)).toThrow(new RenderError(`on.schedule "${s}" is not a schedule: use a cron expression like "0 */2 * * *", @daily, @every 30m or none`))
    }
  })

  it('says why an @every it cannot schedule is refused', () => {
    expect(() => scheduleExpression('@every soon')).toThrow(new RenderError('on.schedule "@every soon" has no valid duration: write it like @every 1h30m'))
    for (const s of ['@every 0s', '@every 90s', '@every 30s']) {
      expect(() => scheduleExpression(s)).toThrow(new RenderError(`on.schedule "${s}" must be a whole number of minutes: EventBridge schedules by the minute`))
    }
  })
})
