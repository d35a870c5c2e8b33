import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { AudienceConfirmation, AudienceForm, audienceShort, documentField } from '#app/components/moderation/AudienceForm.tsx'
import { audiences, type Audience } from '#app/policy/identity.ts'
import { requireGroupAccess } from '#app/utils/authz.server.ts'
import { listDocumentAudiences, loadAudienceSettings, planAudienceChange, applyAudienceChange } from '#app/utils/audience.server.ts'
import type { FieldErrors } from '#app/utils/forms.ts'
import { requireUser } from '#app/utils/session.server.ts'

/**
 * /groups/:groupId/settings/audience (owners): who may read the group's
 * published layer, and a document's own audience. Two steps: the choice is
 * first shown as what it changes, in numbers; only the confirmation changes it.
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Audience of the published layer · ${data.group.name} · Scholion` : 'Audience · Scholion' },
]

const audienceMessage = 'Choose who may read the published layer.'
const choiceSchema = z.object({
	intent: z.enum(['preview', 'confirm']),
	audience: z.enum(audiences, { errorMap: () => ({ message: audienceMessage }) }),
})
const documentChoice = z.enum(['group', ...audiences], { errorMap: () => ({ message: 'Choose an audience from the list.' }) })

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireGroupAccess(context, user, params.groupId, 'group.policy')
	const changed = new URL(request.url).searchParams.get('changed') === '1'
	return { ...(await loadAudienceSettings(context, access.group)), changed }
}

type ActionResult =
	| { step: 'refused'; errors: FieldErrors }
	| {
			step: 'confirm'
			plan: Awaited<ReturnType<typeof planAudienceChange>>
			choice: { audience: Audience; documents: Record<string, Audience | null> }
	  }

export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireGroupAccess(context, user, params.groupId, 'group.policy')
	const form = await request.formData()
	const parsed = choiceSchema.safeParse({ intent: form.get('intent') ?? undefined, audience: form.get('audience') ?? undefined })
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!
		const errors: FieldErrors = issue.path[0] === 'audience' ? { audience: audienceMessage } : { form: 'Start again from the form.' }
		return data<ActionResult>({ step: 'refused', errors }, { status: 400 })
	}
	// Only this group's documents are read from the form: any other field is ignored.
	const documents: Record<string, Audience | null> = {}
	for (const doc of await listDocumentAudiences(context, access.group.id)) {
		const value = form.get(documentField(doc.id))
		if (value === null) continue
		const choice = documentChoice.safeParse(value)
		if (!choice.success) return data<ActionResult>({ step: 'refused', errors: { form: `${doc.title}: ${choice.error.issues[0]!.message}` } }, { status: 400 })
		documents[doc.id] = choice.data === 'group' ? null : choice.data
	}
	const change = { group: parsed.data.audience, documents }
	if (parsed.data.intent === 'preview') {
		const plan = await planAudienceChange(context, access.group.id, change)
		return data<ActionResult>({ step: 'confirm', plan, choice: { audience: change.group, documents } })
	}
	await applyAudienceChange(context, access.group.id, change, user.id)
	return redirect(`/groups/${access.group.id}/settings/audience?changed=1`)
}

export default function AudienceSettingsRoute() {
	const { group, documents, changed } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/groups/${group.id}/moderation`}>Moderation of {group.name}</Link>
			</p>
			<h1 id="audience-heading">Audience of the published layer</h1>
			{changed ? (
				<p className="notice" role="status">
					The audience was changed. Published layer: {audienceShort[group.publishedAudience]}.
				</p>
			) : null}
			<p>
				Published layer: <strong>{audienceShort[group.publishedAudience]}</strong>. Public: anyone may read the editions and published
				annotations. Members only: the group’s members may, and to everyone else they do not exist. Not published: approval records the
				decision and publishes nothing.
			</p>
			{actionData?.step === 'confirm' ? <AudienceConfirmation plan={actionData.plan} choice={actionData.choice} groupId={group.id} /> : null}
			<AudienceForm
				groupAudience={actionData?.step === 'confirm' ? actionData.choice.audience : group.publishedAudience}
				documents={documents}
				errors={actionData?.step === 'refused' ? actionData.errors : undefined}
			/>
		</>
	)
}
