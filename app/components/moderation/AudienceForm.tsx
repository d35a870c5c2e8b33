import { Form } from '@remix-run/react'
import { FormError } from '#app/components/Field.tsx'
import { audienceLabels, audiences, type Audience } from '#app/policy/identity.ts'
import type { FieldErrors } from '#app/utils/forms.ts'

/** A document as the audience form lists it: its own audience, null when it follows the group. */
export interface DocumentAudienceRow {
	id: string
	title: string
	audience: Audience | null
}

/** What a change does, in numbers (server/publication/audience.ts planAudienceChange). */
export interface AudiencePlanView {
	closedToPublic: { editions: number; versions: number }
	openedToPublic: { editions: number; versions: number }
	closedToMembers: { editions: number; versions: number }
	openedToMembers: { editions: number; versions: number }
	acceptedUnpublished: number
	changes: boolean
}

export const audienceShort: Record<Audience, string> = { public: 'public', members: 'members only', none: 'not published' }

/** The field name of a document's own audience. */
export const documentField = (id: string) => `document-${id}`

/**
 * Step one: the group's audience and each document's override. Submitting
 * it changes nothing yet; it asks for the confirmation below.
 */
export function AudienceForm({
	groupAudience,
	documents,
	errors,
}: {
	groupAudience: Audience
	documents: DocumentAudienceRow[]
	errors?: FieldErrors
}) {
	return (
		<Form method="post" className="form" aria-labelledby="audience-heading" noValidate>
			<input type="hidden" name="intent" value="preview" />
			<FormError error={errors?.form} />
			<fieldset aria-describedby={errors?.audience ? 'audience-error' : undefined}>
				<legend>Who may read the group’s published layer</legend>
				{audiences.map((audience) => (
					<label className="radio-row" key={audience}>
						<input type="radio" name="audience" value={audience} defaultChecked={audience === groupAudience} />
						<span>{audienceLabels[audience]}</span>
					</label>
				))}
				{errors?.audience ? (
					<p className="field-error" id="audience-error">
						{errors.audience}
					</p>
				) : null}
			</fieldset>
			{documents.length > 0 ? (
				<fieldset>
					<legend>Documents with an audience of their own</legend>
					{documents.map((doc) => (
						<div className="field" key={doc.id}>
							<label htmlFor={documentField(doc.id)}>{doc.title}</label>
							<select id={documentField(doc.id)} name={documentField(doc.id)} defaultValue={doc.audience ?? 'group'}>
								<option value="group">Follow the group</option>
								{audiences.map((audience) => (
									<option key={audience} value={audience}>
										{audienceLabels[audience]}
									</option>
								))}
							</select>
						</div>
					))}
				</fieldset>
			) : null}
			<div className="actions">
				<button type="submit">Review the change</button>
			</div>
		</Form>
	)
}

function count(n: number, one: string, many: string) {
	return `${n} ${n === 1 ? one : many}`
}

function both(c: { editions: number; versions: number }) {
	return `${count(c.editions, 'edition', 'editions')} and ${count(c.versions, 'published annotation', 'published annotations')}`
}

/** What the confirmation says, one sentence per kind of reader affected. */
export function describeAudiencePlan(plan: AudiencePlanView): string[] {
	const lines: string[] = []
	if (plan.closedToPublic.editions + plan.closedToPublic.versions > 0) {
		lines.push(
			`${count(plan.closedToPublic.versions, 'permalink that is public now', 'permalinks that are public now')} will answer 404, ` +
				`and ${count(plan.closedToPublic.editions, 'public edition', 'public editions')} will no longer be found by anyone outside the group.`,
		)
	}
	if (plan.openedToPublic.editions + plan.openedToPublic.versions > 0) lines.push(`${both(plan.openedToPublic)} become public.`)
	if (plan.closedToMembers.editions + plan.closedToMembers.versions > 0) {
		lines.push(`${both(plan.closedToMembers)} will no longer be readable by the group’s members either.`)
	}
	if (plan.openedToMembers.editions + plan.openedToMembers.versions > 0) {
		lines.push(`${both(plan.openedToMembers)} published before become readable again.`)
	}
	if (plan.acceptedUnpublished > 0) {
		lines.push(
			`${count(plan.acceptedUnpublished, 'accepted review was', 'accepted reviews were')} not published and ` +
				`${plan.acceptedUnpublished === 1 ? 'stays' : 'stay'} unpublished: publish them from the moderation queue.`,
		)
	}
	if (lines.length === 0) lines.push(plan.changes ? 'Nothing published so far is affected.' : 'Nothing changes.')
	return lines
}

/** Step two: what changes, in numbers, and the button that makes the change (the choice is carried along unchanged). */
export function AudienceConfirmation({
	plan,
	choice,
	groupId,
}: {
	plan: AudiencePlanView
	choice: { audience: Audience; documents: Record<string, Audience | null> }
	groupId: string
}) {
	return (
		<section aria-labelledby="confirm-heading" className="notice">
			<h2 id="confirm-heading">Confirm the change</h2>
			<ul>
				{describeAudiencePlan(plan).map((line) => (
					<li key={line}>{line}</li>
				))}
			</ul>
			{plan.changes ? (
				<Form method="post" className="form">
					<input type="hidden" name="intent" value="confirm" />
					<input type="hidden" name="audience" value={choice.audience} />
					{Object.entries(choice.documents).map(([id, audience]) => (
						<input key={id} type="hidden" name={documentField(id)} value={audience ?? 'group'} />
					))}
					<div className="actions">
						<button type="submit">Change the audience</button>
						<a href={`/groups/${groupId}/settings/audience`}>Cancel</a>
					</div>
				</Form>
			) : null}
		</section>
	)
}
