// What every renderer returns: a stack ready for CreateChangeSet.
export interface RenderedStack {
  stackName: string
  /** The CloudFormation template as a plain object (serialize as JSON or YAML). */
  template: Record<string, any>
  /** A value for every parameter the template declares. */
  parameters: Record<string, string>
  /** Stack tags: CloudFormation propagates them to every resource that supports tags. */
  tags: Record<string, string>
}
