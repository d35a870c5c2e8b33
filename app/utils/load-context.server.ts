import type { Database } from '#db/client.ts'
import type { AccessNotifier, CollabServer } from '#server/collab/collab-server.ts'
import type { AnnotationService } from '#server/annotations/service.ts'
import type { PublicationService } from '#server/publication/moderation.ts'
import type { SearchService } from '#server/search/service.ts'
import type { NotificationService } from '#server/notifications/service.ts'
import type { DocumentImporter } from '#server/import/importer.ts'
import type { DemoAccountsCheck } from '#server/demo-accounts.ts'

/**
 * What server/http.ts hands every loader and action. Routes reach the
 * database only through this context, so tests can run several apps on
 * separate databases in one process.
 */
export interface ScholionContext {
	db: Database
	databaseKind: 'pglite' | 'postgresql'
	/** The client's address (the socket's peer, or what a trusted proxy says: TRUST_PROXY), for rate limits. */
	clientAddress: string
	/** The origin this request was made to (PUBLIC_ORIGIN or the Host header). */
	appOrigin: string
	/** Set the session cookie's Secure flag. */
	secureCookies: boolean
	maxImportBytes: number
	/** Converts document imports in a worker, within the import limits. */
	importer: DocumentImporter
	/** This response's Content-Security-Policy nonce (server/security-headers.ts): every inline <script> must carry it. */
	cspNonce: string
	/** Tells open collaboration sockets that someone's access changed. */
	access: AccessNotifier
	/** Repairs a document damaged in storage through its live room (CollabServer.repairDocument). */
	repairs: Pick<CollabServer, 'repairDocument'>
	/** Every read and change of annotations goes through this. */
	annotations: AnnotationService
	/** The moderation workflow, editions and the published layer's writes. */
	publication: PublicationService
	/** Full-text search of the workspace and of the published layer. */
	search: SearchService
	/** The inbox, preferences, live unread counts and email. */
	notifications: NotificationService
	/** In production: which of the demo's accounts (public password) this database holds. Null in development. */
	demoAccounts: DemoAccountsCheck | null
}

declare module '@remix-run/server-runtime' {
	interface AppLoadContext extends ScholionContext {}
}
