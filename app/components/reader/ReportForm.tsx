import { Form, useNavigation } from '@remix-run/react'
import { TextAreaField } from '#app/components/Field.tsx'

export type ReportFormResult = { status: 'sent' } | { status: 'refused'; error: string }

/**
 * "Report this annotation": a reason posted to the permalink's own action
 * (a plain form: it works without JavaScript). Folded away until wanted,
 * and open again when the server refused the report, to show why.
 */
export function ReportForm({ result }: { result: ReportFormResult | undefined }) {
	const navigation = useNavigation()
	const sending = navigation.state === 'submitting' && navigation.formData?.has('reason')
	if (result?.status === 'sent') {
		return (
			<p className="notice report-sent" role="status">
				Thank you: the moderators will look at it.
			</p>
		)
	}
	const error = result?.status === 'refused' ? result.error : undefined
	return (
		<details className="report" open={error ? true : undefined}>
			<summary>Report this annotation</summary>
			<Form method="post" className="form report-form">
				<p className="muted">
					Tell the group’s moderators what is wrong with it (for instance, a misquotation or an abusive remark). No account
					is needed.
				</p>
				<TextAreaField label="Reason" name="reason" required maxLength={2000} error={error} rows={4} />
				<div className="actions">
					<button type="submit" disabled={sending}>
						{sending ? 'Sending…' : 'Send report'}
					</button>
				</div>
			</Form>
		</details>
	)
}
