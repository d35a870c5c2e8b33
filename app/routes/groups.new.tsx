import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { createGroup } from '#app/utils/queries.server.ts'
import { Field, FormError, TextAreaField } from '#app/components/Field.tsx'
import { groupKindLabels, groupKinds } from '#app/policy/permissions.ts'
import { fieldErrors, typedValues } from '#app/utils/forms.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction = () => [{ title: 'New group · Scholion' }]

const groupSchema = z.object({
	name: z.string().trim().min(1, 'Give the group a name.').max(120, 'Keep the name under 120 characters.'),
	kind: z.enum(groupKinds, { errorMap: () => ({ message: 'Choose what kind of group this is.' }) }),
	description: z.string().trim().max(2000, 'Keep the description under 2,000 characters.').default(''),
})

const kindHints: Record<(typeof groupKinds)[number], string> = {
	seminar: 'A class or reading group annotating sources together.',
	editorial_board: 'Reviewers who assess a manuscript privately and decide which reviews stand.',
	community: 'Open to anyone signed in: they can read and join as readers.',
}

export async function loader({ request, context }: LoaderFunctionArgs) {
	await requireUser(request, context)
	return null
}

export async function action({ request, context }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const form = await request.formData()
	const parsed = groupSchema.safeParse(Object.fromEntries(form))
	if (!parsed.success) {
		return data(
			{ errors: fieldErrors(parsed.error), values: typedValues(form, ['name', 'kind', 'description']) },
			{ status: 400 },
		)
	}
	const group = await createGroup(context.db, { ...parsed.data, ownerId: user.id })
	return redirect(`/groups/${group.id}`)
}

export default function NewGroupPage() {
	const actionData = useActionData<typeof action>()
	const submitting = useNavigation().state === 'submitting'
	const errors = actionData?.errors ?? {}
	const kind = actionData?.values.kind ?? 'seminar'
	return (
		<>
			<h1>New group</h1>
			<Form method="post" className="form wide" noValidate>
				<FormError error={errors.form} />
				<Field label="Name" name="name" required defaultValue={actionData?.values.name} error={errors.name} />
				<fieldset className="field" aria-describedby={errors.kind ? 'kind-error' : undefined}>
					<legend>Kind of group</legend>
					{groupKinds.map((k) => (
						<label key={k} className="radio-row">
							<input type="radio" name="kind" value={k} defaultChecked={kind === k} />
							<span>
								<strong>{groupKindLabels[k]}</strong> — {kindHints[k]}
							</span>
						</label>
					))}
					{errors.kind ? (
						<p className="field-error" id="kind-error">
							{errors.kind}
						</p>
					) : null}
				</fieldset>
				<TextAreaField
					label="Description"
					name="description"
					hint="Optional: what the group reads and how it works."
					rows={4}
					style={{ minHeight: '6rem', fontFamily: 'inherit' }}
					defaultValue={actionData?.values.description}
					error={errors.description}
				/>
				<div className="actions">
					<button type="submit" disabled={submitting}>
						{submitting ? 'Creating…' : 'Create group'}
					</button>
				</div>
			</Form>
		</>
	)
}
