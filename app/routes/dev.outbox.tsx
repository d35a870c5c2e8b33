import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction = () => [{ title: 'Email outbox · Scholion' }]

/**
 * The email outbox, for the developer: every email Scholion wrote, with
 * whether it was sent. Without SMTP_URL nothing is sent and this is where
 * email is read. In development it lists everyone's; in production each
 * person sees only what was addressed to them.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const { all, smtp, emails } = await context.notifications.emails(user)
	return {
		all,
		smtp,
		emails: emails.map((e) => ({
			id: e.id,
			to: e.toAddress,
			subject: e.subject,
			text: e.text,
			status: e.status,
			attempts: e.attempts,
			lastError: e.lastError,
			createdAt: e.createdAt.toISOString(),
		})),
	}
}

const statusWords = { outbox: 'Not sent (no SMTP_URL)', pending: 'Waiting to be sent', sent: 'Sent', failed: 'Failed' } as const

export default function Outbox() {
	const { all, smtp, emails } = useLoaderData<typeof loader>()
	return (
		<section aria-labelledby="outbox-title">
			<h1 id="outbox-title">Email outbox</h1>
			<p className="lede">
				{smtp ? 'Email is sent through SMTP; failures are retried and kept here with their error.' : 'No SMTP_URL is set: email is kept here instead of being sent.'}{' '}
				{all ? 'Showing every email (development).' : 'Showing the email addressed to you.'}
			</p>
			{emails.length === 0 ? (
				<p className="empty">No email yet.</p>
			) : (
				<ul className="outbox-list">
					{emails.map((email) => (
						<li key={email.id} className="card">
							<h2>{email.subject}</h2>
							<p className="muted">
								To {email.to} · {statusWords[email.status]}
								{email.attempts > 0 ? ` · ${email.attempts} attempt${email.attempts === 1 ? '' : 's'}` : ''} ·{' '}
								<time dateTime={email.createdAt}>{email.createdAt.replace('T', ' ').slice(0, 16)} UTC</time>
							</p>
							{email.lastError ? <p className="form-error">Last error: {email.lastError}</p> : null}
							<pre>{email.text}</pre>
						</li>
					))}
				</ul>
			)}
		</section>
	)
}
