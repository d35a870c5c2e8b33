import type { z } from 'zod'

/** Field errors keyed by field name, as forms show them beside each input. */
export type FieldErrors = Partial<Record<string, string>>

/** The first message for each field of a failed zod parse. */
export function fieldErrors(error: z.ZodError): FieldErrors {
	const errors: FieldErrors = {}
	for (const issue of error.issues) {
		const key = String(issue.path[0] ?? 'form')
		errors[key] ??= issue.message
	}
	return errors
}

/** The text the user typed, echoed back so that a failed submit loses nothing (never passwords). */
export function typedValues(form: FormData, names: readonly string[]): Record<string, string> {
	const values: Record<string, string> = {}
	for (const name of names) {
		const value = form.get(name)
		values[name] = typeof value === 'string' ? value : ''
	}
	return values
}
