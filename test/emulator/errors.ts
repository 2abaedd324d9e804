/** GitHub's error responses: the body shapes and the messages that api.github.com sends. */

export const DOCS_ROOT = 'https://docs.github.com/rest'
export const RATE_LIMIT_DOCS =
  'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api'
export const SECONDARY_RATE_LIMIT_DOCS = `${RATE_LIMIT_DOCS}#about-secondary-rate-limits`

/** One entry of the `errors` array in a 422 "Validation Failed" body. */
export interface ValidationErrorItem {
  resource: string
  code: 'missing' | 'missing_field' | 'invalid' | 'already_exists' | 'unprocessable' | 'custom'
  field?: string
  message?: string
  value?: string | number | string[] | null
}

/**
 * An error response that a route handler raises. The pipeline turns it into GitHub's body:
 * `message`, optional `errors`, `documentation_url`, and `status` as a string.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly options: {
      errors?: ValidationErrorItem[]
      documentationUrl?: string
      headers?: Record<string, string>
    } = {}
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export function notFound(): ApiError {
  return new ApiError(404, 'Not Found')
}

export function validationFailed(errors: ValidationErrorItem[]): ApiError {
  return new ApiError(422, 'Validation Failed', { errors })
}

/** Builds the JSON body GitHub sends with an error status. */
export function errorBody(
  status: number,
  message: string,
  documentationUrl: string,
  errors?: ValidationErrorItem[]
): Record<string, unknown> {
  return {
    message,
    ...(errors ? { errors } : {}),
    documentation_url: documentationUrl,
    status: String(status)
  }
}
