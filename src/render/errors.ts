// A manifest the renderer cannot turn into a template. The use cases present it as a user error.
export class RenderError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RenderError'
  }
}
