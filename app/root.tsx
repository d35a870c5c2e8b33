import type { LinksFunction, LoaderFunctionArgs } from '@remix-run/node'
import {
	Form,
	isRouteErrorResponse,
	Link,
	Links,
	Meta,
	Outlet,
	Scripts,
	ScrollRestoration,
	useMatches,
	useRouteError,
	useRouteLoaderData,
} from '@remix-run/react'
import type { ReactNode } from 'react'
import stylesheet from './styles.css?url'
import { InboxLink } from './components/notifications/InboxLink.tsx'
import { useNonce } from './utils/nonce.ts'
import { getUser } from './utils/session.server.ts'

export const links: LinksFunction = () => [
	{ rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
	{ rel: 'stylesheet', href: stylesheet },
]

export async function loader({ request, context }: LoaderFunctionArgs) {
	const user = await getUser(request, context)
	return {
		user: user ? { id: user.id, name: user.name, color: user.color } : null,
		unread: user ? await context.notifications.unreadCount(user.id) : 0,
		// Told to signed-in users only: a visitor has no use for it, and it would tell strangers the way in.
		demoAccounts: user && context.demoAccounts ? (await context.demoAccounts.present()).length > 0 : false,
	}
}

export function Layout({ children }: { children: ReactNode }) {
	const data = useRouteLoaderData<typeof loader>('root')
	const user = data?.user ?? null
	// A page that works fully without JavaScript and is mostly data (the public
	// reader of a long edition) says so with `handle.scripts = false`: it is sent
	// without the hydration scripts, which would repeat all its data a second time.
	const scripts = !useMatches().some((match) => (match.handle as { scripts?: boolean } | undefined)?.scripts === false)
	// The Content-Security-Policy lets an inline script run only with this response's nonce.
	const nonce = useNonce()
	return (
		<html lang="en">
			<head>
				<meta charSet="utf-8" />
				<meta name="viewport" content="width=device-width, initial-scale=1" />
				<Meta />
				<Links />
			</head>
			<body>
				<a className="skip-link" href="#main">
					Skip to content
				</a>
				<header className="site-header">
					<Link to="/" className="brand">
						Scholion
					</Link>
					<nav aria-label="Account">
						{user ? (
							<>
								<Link to="/search">Search</Link>
								<InboxLink unread={data?.unread ?? 0} />
								<span className="who">
									<span className="swatch" style={{ background: user.color }} aria-hidden="true" />
									{user.name}
								</span>
								<Form method="post" action="/logout">
									<button type="submit" className="link-button">
										Log out
									</button>
								</Form>
							</>
						) : (
							<>
								<Link to="/login">Log in</Link>
								<Link to="/signup">Sign up</Link>
							</>
						)}
					</nav>
				</header>
				{data?.demoAccounts ? (
					<p className="site-warning" role="note">
						<strong>This production server holds the demo accounts</strong>, whose shared password is published in the
						README: anyone can sign in as them. Delete them, or start on a fresh database without SEED_DEMO.
					</p>
				) : null}
				<main id="main" tabIndex={-1}>
					{children}
				</main>
				{scripts ? <ScrollRestoration nonce={nonce} /> : null}
				{scripts ? <Scripts nonce={nonce} /> : null}
			</body>
		</html>
	)
}

export default function App() {
	return <Outlet />
}

export function ErrorBoundary() {
	const error = useRouteError()
	if (isRouteErrorResponse(error)) {
		const message = typeof error.data === 'string' ? error.data : error.statusText
		return (
			<section className="error-page">
				<h1>{error.status === 404 ? 'Not found' : `Error ${error.status}`}</h1>
				<p>{message}</p>
				<p>
					<Link to="/">Back to your groups</Link>
				</p>
			</section>
		)
	}
	return (
		<section className="error-page">
			<h1>Something went wrong</h1>
			<p>The error has been logged. Try again, or go back to <Link to="/">your groups</Link>.</p>
		</section>
	)
}
