import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form } from '@remix-run/react'
import { endSession, getUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction = () => [{ title: 'Log out · Scholion' }]

// Logging out changes state, so it is a POST; a GET shows the button that
// posts it (a link or prefetch must not end a session).
export async function loader({ request, context }: LoaderFunctionArgs) {
	if (!(await getUser(request, context))) throw redirect('/')
	return null
}

export async function action({ request, context }: ActionFunctionArgs) {
	return endSession(request, context, '/')
}

export default function LogoutPage() {
	return (
		<>
			<h1>Log out</h1>
			<Form method="post" className="form">
				<p>You will need your email and password to log in again.</p>
				<div className="actions">
					<button type="submit">Log out</button>
				</div>
			</Form>
		</>
	)
}
