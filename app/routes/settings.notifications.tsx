import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { PreferencesForm } from '#app/components/notifications/PreferencesForm.tsx'
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

export async function loader({ request, context }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const preferences = await context.notifications.preferences(user.id)
	return {
		email: user.email,
		preferences: notificationKinds.map((kind) => ({ kind, title: kindTitles[kind], ...preferences[kind] })),
	}
}

export async function action({ request, context }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const parsed = preferencesForm.safeParse(Object.fromEntries(await request.formData()))
	if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? 'Invalid form.', saved: false }, { status: 400 })
	const values = parsed.data as Record<string, string | undefined>
	const preferences = Object.fromEntries(
		notificationKinds.map((kind) => [kind, { inApp: values[`${kind}.inApp`] === 'on', email: values[`${kind}.email`] as Preference['email'] }]),
	) as Record<(typeof notificationKinds)[number], Preference>
	await context.notifications.savePreferences(user.id, preferences)
	return { error: null, saved: true }
}

export default function NotificationSettings() {
	const { email, preferences } = useLoaderData<typeof loader>()
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
			{result?.error ? (
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
		</section>
	)
}
