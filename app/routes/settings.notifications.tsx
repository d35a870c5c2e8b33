import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { PreferencesForm } from '#app/components/notifications/PreferencesForm.tsx'
import { SubmissionNoticesForm } from '#app/components/notifications/SubmissionNoticesForm.tsx'
import { emailCadences, kindTitles, notificationKinds, type Preference } from '#app/utils/notifications.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction = () => [{ title: 'Notification settings · Scholion' }]

/** `reply.inApp=on` (a checked box; absent when unchecked) and `reply.email=daily`, for every kind. */
const preferencesForm = z.object(
	Object.fromEntries(
		notificationKinds.flatMap((kind) => [
			[`${kind}.inApp`, z.literal('on').optional()],
			[`${kind}.email`, z.enum(emailCadences, { errorMap: () => ({ message: 'Choose how you want email for each kind.' }) })],
		]),
	),
)

/** One group's choice of how a steward hears of its submissions. */
const submissionsForm = z.object({
	groupId: z.string().uuid('That group does not exist.'),
	cadence: z.enum(['each', 'hourly', 'daily'], { errorMap: () => ({ message: 'Choose each submission, an hourly or a daily summary.' }) }),
})

export async function loader({ request, context }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const [preferences, notices] = await Promise.all([context.notifications.preferences(user.id), context.notifications.submissionNotices(user.id)])
	return {
		email: user.email,
		preferences: notificationKinds.map((kind) => ({ kind, title: kindTitles[kind], ...preferences[kind] })),
		notices,
	}
}

type ActionResult = { error: string | null; saved: boolean; groupId?: string; noticeSaved?: boolean }

export async function action({ request, context }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const form = Object.fromEntries(await request.formData())
	if (form.intent === 'submissions') {
		const parsed = submissionsForm.safeParse(form)
		const groupId = typeof form.groupId === 'string' ? form.groupId : undefined
		if (!parsed.success) return data<ActionResult>({ error: parsed.error.issues[0]?.message ?? 'Invalid form.', saved: false, groupId }, { status: 400 })
		// A group the user does not moderate reads like one that does not exist.
		if (!(await context.notifications.saveSubmissionNotice(user.id, parsed.data.groupId, parsed.data.cadence))) {
			return data<ActionResult>({ error: 'That group does not exist.', saved: false, groupId }, { status: 404 })
		}
		return data<ActionResult>({ error: null, saved: false, groupId, noticeSaved: true })
	}
	const parsed = preferencesForm.safeParse(form)
	if (!parsed.success) return data<ActionResult>({ error: parsed.error.issues[0]?.message ?? 'Invalid form.', saved: false }, { status: 400 })
	const values = parsed.data as Record<string, string | undefined>
	const preferences = Object.fromEntries(
		notificationKinds.map((kind) => [kind, { inApp: values[`${kind}.inApp`] === 'on', email: values[`${kind}.email`] as Preference['email'] }]),
	) as Record<(typeof notificationKinds)[number], Preference>
	await context.notifications.savePreferences(user.id, preferences)
	return data<ActionResult>({ error: null, saved: true })
}

export default function NotificationSettings() {
	const { email, preferences, notices } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	const busy = useNavigation().state === 'submitting'
	return (
		<section aria-labelledby="settings-title">
			<p className="breadcrumb">
				<Link to="/inbox">Inbox</Link>
			</p>
			<h1 id="settings-title">Notification settings</h1>
			<p className="lede">
				For each kind of notification: whether it appears in your inbox, and whether it is emailed to {email} at once, in one
				daily digest, or not at all.
			</p>
			{result?.error && !result.groupId ? (
				<p className="form-error" role="alert">
					{result.error}
				</p>
			) : null}
			{result?.saved ? (
				<p className="notice" role="status">
					Preferences saved.
				</p>
			) : null}
			<PreferencesForm preferences={preferences} busy={busy} />
			{notices.length > 0 ? (
				<section aria-labelledby="submissions-title">
					<h2 id="submissions-title">Submissions in groups you moderate</h2>
					<p className="lede">
						For each group: a notification per submission, or one summary an hour or a day of what is waiting (nothing when
						nothing is new). Replies are never sent as submissions; they wait in the moderation queue.
					</p>
					{result?.noticeSaved ? (
						<p className="notice" role="status">
							Saved.
						</p>
					) : null}
					{result?.error && result.groupId ? (
						<p className="form-error" role="alert">
							{result.error}
						</p>
					) : null}
					<SubmissionNoticesForm groups={notices} busy={busy} errorGroupId={result?.groupId} error={result?.error ?? undefined} />
				</section>
			) : null}
		</section>
	)
}
