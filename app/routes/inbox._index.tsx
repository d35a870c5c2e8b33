import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { NotificationList } from '#app/components/notifications/NotificationList.tsx'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction = () => [{ title: 'Inbox · Scholion' }]

const filters = z.object({ show: z.enum(['all', 'unread']).catch('all') })
const actionSchema = z.discriminatedUnion('intent', [
	z.object({ intent: z.literal('read'), id: z.string().uuid('That notification does not exist.') }),
	z.object({ intent: z.literal('read-all') }),
])

export async function loader({ request, context }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const { show } = filters.parse(Object.fromEntries(new URL(request.url).searchParams))
	const [items, unread] = await Promise.all([
		context.notifications.inbox(user, { unreadOnly: show === 'unread' }),
		context.notifications.unreadCount(user.id),
	])
	return { show, items, unread }
}

export async function action({ request, context }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const parsed = actionSchema.safeParse(Object.fromEntries(await request.formData()))
	if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? 'Invalid form.' }, { status: 400 })
	if (parsed.data.intent === 'read') await context.notifications.markRead(user, [parsed.data.id])
	else await context.notifications.markAllRead(user)
	return { error: null }
}

export default function Inbox() {
	const { show, items, unread } = useLoaderData<typeof loader>()
	const busy = useNavigation().state === 'submitting'
	return (
		<section aria-labelledby="inbox-title">
			<h1 id="inbox-title">Inbox</h1>
			<p className="lede">
				{unread === 0 ? 'Nothing unread.' : `${unread} unread notification${unread === 1 ? '' : 's'}.`}{' '}
				<Link to="/settings/notifications">Choose what you are notified of</Link>
			</p>
			<div className="inbox-toolbar">
				<nav aria-label="Show">
					{show === 'all' ? <strong aria-current="page">All</strong> : <Link to="/inbox">All</Link>}
					{' · '}
					{show === 'unread' ? <strong aria-current="page">Unread</strong> : <Link to="/inbox?show=unread">Unread</Link>}
				</nav>
				{unread > 0 ? (
					<Form method="post">
						<button type="submit" name="intent" value="read-all" className="secondary" disabled={busy}>
							Mark all as read
						</button>
					</Form>
				) : null}
			</div>
			{items.length === 0 ? (
				<p className="empty">{show === 'unread' ? 'No unread notifications.' : 'No notifications yet.'}</p>
			) : (
				<NotificationList items={items} />
			)}
		</section>
	)
}
