import { redirect, type LoaderFunctionArgs } from '@remix-run/node'
import { isUuid } from '#app/utils/annotations.server.ts'
import { notFound } from '#app/utils/responses.ts'
import { requireUser } from '#app/utils/session.server.ts'

/** Follows a notification to what it is about, marking it read; another person's, or one no longer visible, is a 404. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const href = isUuid(params.notificationId) ? await context.notifications.open(user, params.notificationId) : null
	if (!href) throw notFound('That notification is not in your inbox.')
	return redirect(href)
}

/** Never rendered (the loader always redirects or throws); being a page route gives a 404 the site's error page. */
export default function OpenNotification() {
	return null
}
