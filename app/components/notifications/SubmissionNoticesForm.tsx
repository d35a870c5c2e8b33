import { Form } from '@remix-run/react'

export type SubmissionCadence = 'each' | 'hourly' | 'daily'

export interface GroupNotice {
	groupId: string
	groupName: string
	cadence: SubmissionCadence
}

const cadenceLabels: Record<SubmissionCadence, string> = {
	each: 'A notification for each submission',
	hourly: 'An hourly summary',
	daily: 'A daily summary',
}

/**
 * For a steward: per group they moderate, how they hear of new submissions
 * (replies are never submissions to be told of). A plain form; the summary
 * follows the inbox and email preferences for new submissions above.
 */
export function SubmissionNoticesForm({ groups, busy, errorGroupId, error }: { groups: GroupNotice[]; busy: boolean; errorGroupId?: string; error?: string }) {
	return (
		<div className="preferences">
			{groups.map((g) => {
				const errorId = errorGroupId === g.groupId && error ? `notice-${g.groupId}-error` : undefined
				return (
					<Form method="post" key={g.groupId}>
						<input type="hidden" name="intent" value="submissions" />
						<input type="hidden" name="groupId" value={g.groupId} />
						<fieldset aria-describedby={errorId}>
							<legend>{`New submissions in ${g.groupName}`}</legend>
							{(Object.keys(cadenceLabels) as SubmissionCadence[]).map((c) => (
								<label className="radio-row" key={c}>
									<input type="radio" name="cadence" value={c} defaultChecked={g.cadence === c} />
									<span>{cadenceLabels[c]}</span>
								</label>
							))}
							{errorId ? (
								<p className="field-error" id={errorId}>
									{error}
								</p>
							) : null}
							<div className="actions">
								<button type="submit" className="secondary" disabled={busy}>
									{`Save for ${g.groupName}`}
								</button>
							</div>
						</fieldset>
					</Form>
				)
			})}
		</div>
	)
}
