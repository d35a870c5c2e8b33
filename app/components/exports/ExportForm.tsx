import { Form, useNavigation } from '@remix-run/react'
import { useId } from 'react'

export interface ExportFormatOption {
	value: string
	label: string
}

/** Choose a format and start an export; works without JavaScript (a plain form post). */
export function ExportForm({ formats, error }: { formats: ExportFormatOption[]; error?: string }) {
	const navigation = useNavigation()
	const errorId = useId()
	const busy = navigation.state === 'submitting'
	return (
		<Form method="post" className="form wide">
			<fieldset aria-describedby={error ? errorId : undefined} aria-invalid={error ? true : undefined}>
				<legend>Format</legend>
				{formats.map((format, i) => (
					<label key={format.value} className="radio-row">
						<input type="radio" name="format" value={format.value} defaultChecked={i === 0} /> {format.label}
					</label>
				))}
				{error ? (
					<p className="field-error" id={errorId}>
						{error}
					</p>
				) : null}
			</fieldset>
			<div className="actions">
				<button type="submit" disabled={busy}>
					{busy ? 'Starting the export…' : 'Export'}
				</button>
			</div>
		</Form>
	)
}
