import { Form } from '@remix-run/react'
import { Field, FormError } from '#app/components/Field.tsx'
import type { FieldErrors } from '#app/utils/forms.ts'

/** The group's moderation policy (owners): whether submissions need approval, and the quorum. */
export function PolicyForm({
	policy,
	errors,
	values,
}: {
	policy: { requiresApproval: boolean; approvalQuorum: number }
	errors?: FieldErrors
	/** What was typed, after a refused submit. */
	values?: { requiresApproval: boolean; approvalQuorum: string }
}) {
	return (
		<Form method="post" preventScrollReset className="form" aria-labelledby="policy-heading" noValidate>
			<input type="hidden" name="intent" value="policy" />
			<FormError error={errors?.form} />
			<label className="radio-row">
				<input type="checkbox" name="requiresApproval" value="on" defaultChecked={values?.requiresApproval ?? policy.requiresApproval} />
				<span>Submissions need a moderator’s approval before they are published</span>
			</label>
			<Field
				label="Approvals needed to publish (quorum)"
				name="approvalQuorum"
				type="number"
				inputMode="numeric"
				min={1}
				max={10}
				step={1}
				defaultValue={values?.approvalQuorum ?? String(policy.approvalQuorum)}
				hint="A whole number from 1 to 10, and at most the number of moderators and owners: only they approve, and nobody approves their own annotation."
				error={errors?.approvalQuorum}
			/>
			<div className="actions">
				<button type="submit">Save policy</button>
			</div>
		</Form>
	)
}
