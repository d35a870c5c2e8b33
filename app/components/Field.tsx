import { useId, type InputHTMLAttributes, type TextareaHTMLAttributes } from 'react'

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
	label: string
	name: string
	error?: string
	hint?: string
}

/** A labelled input whose error is announced with it (aria-describedby) and marked invalid. */
export function Field({ label, name, error, hint, ...input }: FieldProps) {
	const id = useId()
	const hintId = hint ? `${id}-hint` : undefined
	const errorId = error ? `${id}-error` : undefined
	return (
		<div className="field">
			<label htmlFor={id}>{label}</label>
			{hint ? (
				<span className="hint" id={hintId}>
					{hint}
				</span>
			) : null}
			<input
				id={id}
				name={name}
				aria-invalid={error ? true : undefined}
				aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
				{...input}
			/>
			{error ? (
				<p className="field-error" id={errorId}>
					{error}
				</p>
			) : null}
		</div>
	)
}

interface TextAreaFieldProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
	label: string
	name: string
	error?: string
	hint?: string
}

export function TextAreaField({ label, name, error, hint, ...textarea }: TextAreaFieldProps) {
	const id = useId()
	const hintId = hint ? `${id}-hint` : undefined
	const errorId = error ? `${id}-error` : undefined
	return (
		<div className="field">
			<label htmlFor={id}>{label}</label>
			{hint ? (
				<span className="hint" id={hintId}>
					{hint}
				</span>
			) : null}
			<textarea
				id={id}
				name={name}
				aria-invalid={error ? true : undefined}
				aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
				{...textarea}
			/>
			{error ? (
				<p className="field-error" id={errorId}>
					{error}
				</p>
			) : null}
		</div>
	)
}

/** The error that belongs to the whole form, announced when it appears. */
export function FormError({ error }: { error?: string }) {
	if (!error) return null
	return (
		<p className="form-error" role="alert">
			{error}
		</p>
	)
}
