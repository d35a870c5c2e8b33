import { Form } from '@remix-run/react'

export type Cadence = 'off' | 'immediately' | 'daily'

export interface KindPreference {
	kind: string
	title: string
	inApp: boolean
	email: Cadence
}

const cadenceLabels: Record<Cadence, string> = {
	off: 'No email',
	immediately: 'Email at once',
	daily: 'In a daily digest',
}

/** One fieldset per kind of notification: in the inbox or not, and how it comes by email. A plain form. */
export function PreferencesForm({ preferences, busy }: { preferences: KindPreference[]; busy: boolean }) {
	return (
		<Form method="post" className="preferences">
			{preferences.map((p) => (
				<fieldset key={p.kind}>
					<legend>{p.title}</legend>
					<label className="radio-row">
						<input type="checkbox" name={`${p.kind}.inApp`} defaultChecked={p.inApp} />
						<span>Show in my inbox</span>
					</label>
					<div className="field">
						<label htmlFor={`${p.kind}-email`}>Email</label>
						<select id={`${p.kind}-email`} name={`${p.kind}.email`} defaultValue={p.email}>
							{(Object.keys(cadenceLabels) as Cadence[]).map((c) => (
								<option key={c} value={c}>
									{cadenceLabels[c]}
								</option>
							))}
						</select>
					</div>
				</fieldset>
			))}
			<div className="actions">
				<button type="submit" disabled={busy}>
					{busy ? 'Saving…' : 'Save preferences'}
				</button>
			</div>
		</Form>
	)
}
