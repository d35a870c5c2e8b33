import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { IdentityModeConfirmation, IdentityModeForm } from '#app/components/moderation/IdentityModeForm.tsx'
import { identityModeLabels, identityModes, type IdentityMode } from '#app/policy/identity.ts'
import { requireGroupAccess } from '#app/utils/authz.server.ts'
import { changeIdentityMode, publishedUnderNames } from '#app/utils/identity.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

/**
 * /groups/:groupId/settings/identity (owners): the group's reviewer identity
 * mode, changed in two steps, the second saying what the change does and
 * does not do; open documents follow at once.
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Reviewer identity · ${data.group.name} · Scholion` : 'Reviewer identity · Scholion' },
]

const modeField = z.enum(identityModes, { errorMap: () => ({ message: 'Choose how reviewers are named.' }) })
const command = z.object({ intent: z.enum(['preview', 'confirm']), mode: modeField })

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireGroupAccess(context, user, params.groupId, 'group.policy')
	return {
		group: { id: access.group.id, name: access.group.name },
		mode: access.group.identityMode,
		saved: new URL(request.url).searchParams.get('saved') === '1',
	}
}

/** What switching from one mode to another does, in the owner's terms (counted where it matters). */
function consequencesOf(from: IdentityMode, to: IdentityMode, namedPublished: number): string[] {
	const lines: string[] = []
	const hides = (mode: IdentityMode) => mode !== 'named'
	if (to === 'anonymous') {
		lines.push('Reviewers and readers of the group will see pseudonyms (“Reviewer 2”) for everyone but themselves; moderators and owners keep seeing names.')
	} else if (to === 'anonymous_public') {
		lines.push('Members will see names; everyone outside the group will see pseudonyms.')
	} else {
		lines.push('Everyone who can see an annotation will see its author’s name, including who wrote what so far under a pseudonym.')
	}
	if (!hides(from) && hides(to)) {
		lines.push(
			namedPublished === 0
				? 'Nothing of this group is published under a name now.'
				: `${namedPublished} published ${namedPublished === 1 ? 'annotation stays' : 'annotations stay'} under ${namedPublished === 1 ? 'its author’s name' : 'their authors’ names'}: switching does not rewrite what was already published.`,
		)
	}
	lines.push('People who have a document open see the change within a second.')
	return lines
}

export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireGroupAccess(context, user, params.groupId, 'group.policy')
	const parsed = command.safeParse(Object.fromEntries(await request.formData()))
	if (!parsed.success) {
		const error = parsed.error.issues.find((i) => i.path[0] === 'mode')?.message ?? 'Choose how reviewers are named.'
		return data({ error, confirm: null }, { status: 400 })
	}
	const { intent, mode } = parsed.data
	const from = access.group.identityMode
	if (mode === from) return data({ error: `The group is already “${identityModeLabels[mode]}”.`, confirm: null }, { status: 400 })
	if (intent === 'preview') {
		const namedPublished = await publishedUnderNames(context, access.group.id)
		return { error: null, confirm: { from, to: mode, consequences: consequencesOf(from, mode, namedPublished) } }
	}
	await changeIdentityMode(context, access.group.id, mode)
	console.log(`[groups] ${user.id} changed the identity mode of ${access.group.id} from ${from} to ${mode}`)
	return redirect(`/groups/${access.group.id}/settings/identity?saved=1`)
}

export default function IdentitySettingsPage() {
	const { group, mode, saved } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const here = `/groups/${group.id}/settings/identity`
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/groups/${group.id}`}>{group.name}</Link> ›{' '}
				<Link to={`/groups/${group.id}/moderation`}>Moderation</Link>
			</p>
			<h1 id="identity-heading">Reviewer identity</h1>
			{saved && !actionData ? (
				<p className="notice" role="status">
					Saved: the group is now “{identityModeLabels[mode]}”.
				</p>
			) : null}
			{actionData?.confirm ? (
				<IdentityModeConfirmation {...actionData.confirm} cancelTo={here} />
			) : (
				<IdentityModeForm current={mode} error={actionData?.error ?? undefined} />
			)}
		</>
	)
}
