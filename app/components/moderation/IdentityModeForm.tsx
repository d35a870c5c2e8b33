import { Form, Link } from '@remix-run/react'
import { FormError } from '#app/components/Field.tsx'
import { identityModeLabels, identityModes, type IdentityMode } from '#app/policy/identity.ts'

/** What each mode means to the people in the group, as the form explains it. */
export const identityModeDescriptions: Record<IdentityMode, string> = {
	named: 'Everyone sees who wrote what, inside the group and out.',
	anonymous_public:
		'Members see names; everyone outside the group (published pages, visitors of an open community) sees a pseudonym per document, such as “Reviewer 2”.',
	anonymous:
		'Double-blind: members who are not moderators or owners see pseudonyms for everyone but themselves, in annotations, replies, presence, mentions and history. Moderators and owners always see who is who.',
}

/** Step one: the owner picks a mode (nothing changes until they confirm). */
export function IdentityModeForm({ current, error }: { current: IdentityMode; error?: string }) {
	return (
		<Form method="post" className="form" aria-labelledby="identity-heading" noValidate>
			<input type="hidden" name="intent" value="preview" />
			<FormError error={error} />
			<fieldset>
				<legend>Reviewer identity</legend>
				{identityModes.map((mode) => (
					<label key={mode} className="radio-row">
						<input type="radio" name="mode" value={mode} defaultChecked={mode === current} />
						<span>
							<strong>{identityModeLabels[mode]}</strong>
							{mode === current ? ' (current)' : ''}: {identityModeDescriptions[mode]}
						</span>
					</label>
				))}
			</fieldset>
			<div className="actions">
				<button type="submit">Review the change</button>
			</div>
		</Form>
	)
}

/** Step two: what the change does, then the change itself. */
export function IdentityModeConfirmation({
	from,
	to,
	consequences,
	cancelTo,
}: {
	from: IdentityMode
	to: IdentityMode
	consequences: string[]
	cancelTo: string
}) {
	return (
		<Form method="post" className="form" aria-labelledby="confirm-heading">
			<h2 id="confirm-heading">{`Change from “${identityModeLabels[from]}” to “${identityModeLabels[to]}”?`}</h2>
			<ul>
				{consequences.map((line) => (
					<li key={line}>{line}</li>
				))}
			</ul>
			<input type="hidden" name="intent" value="confirm" />
			<input type="hidden" name="mode" value={to} />
			<div className="actions">
				<button type="submit">{`Change to “${identityModeLabels[to]}”`}</button>
				<Link to={cancelTo}>{`Keep “${identityModeLabels[from]}”`}</Link>
			</div>
		</Form>
	)
}
