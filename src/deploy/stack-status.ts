// CloudFormation's stack statuses, sorted into what a deploy needs to know.

export function isInProgress(status: string): boolean {
  return status.endsWith('_IN_PROGRESS')
}

export function isTerminal(status: string): boolean {
  return !isInProgress(status) && status !== 'REVIEW_IN_PROGRESS'
}

/** A final status that means the requested operation worked. */
export function isSuccess(status: string): boolean {
  return status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE' || status === 'DELETE_COMPLETE' || status === 'IMPORT_COMPLETE'
}

/** A stack that failed to be created and must be deleted before it can be created again. */
export function needsRecreate(status: string): boolean {
  return status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED' || status === 'REVIEW_IN_PROGRESS' || status === 'CREATE_FAILED'
}

export function isResourceFailure(status: string): boolean {
  return status.endsWith('_FAILED')
}

/** Reasons CloudFormation gives for resources it only stopped because something else failed. */
export function isCollateralReason(reason: string): boolean {
  return /Resource creation cancelled|Resource update cancelled|cancelled by user|The following resource\(s\) failed/i.test(reason)
}
