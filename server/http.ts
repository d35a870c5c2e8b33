import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { AppLoadContext, ServerBuild } from '@remix-run/node'
import express from 'express'
import { sql } from 'drizzle-orm'
import type { DatabaseHandle } from '#db/client.ts'
import { AnnotationService } from './annotations/service.ts'
import type { AnnotationImportQuota } from './annotations/import-quota.ts'
import { CollabServer, type CollabOptions } from './collab/collab-server.ts'
import { RedisBridge } from './collab/redis-bridge.ts'
import { PublicationService } from './publication/moderation.ts'
import { readerPageCache } from './publication/reader-cache.ts'
import { sessionCookie } from './session-cookie.ts'
import { SearchService } from './search/service.ts'
import { NotificationService, type NotificationOptions } from './notifications/service.ts'
import { appOriginOf, crossOriginRefusal } from './origin.ts'
import { DocumentImporter } from './import/importer.ts'
import type { ImportLimits } from './import/limits.ts'
import { cspNonceOf, securityHeaders } from './security-headers.ts'
import { DemoAccountsCheck } from './demo-accounts.ts'
import { answerFailedRequest, guardClientErrors } from './http-errors.ts'
import { createCheckedBodyRequestHandler, requestLimits, type RequestLimitOptions } from './request-limits.ts'
import { jsonLdPermalinkPath, prefersJsonLd } from '#app/publication/negotiation.ts'

export interface ScholionServerOptions {
	database: DatabaseHandle
	/** The Remix server build, or a loader for it (development reloads it per request). */
	build: ServerBuild | (() => Promise<ServerBuild>)
	/** Folder of the browser build to serve statically; omitted in development, where Vite serves it. */
	clientAssetsDir?: string
	/** Vite's dev middleware, in development only. */
	devMiddleware?: express.RequestHandler
	/** Default 0: any free port. */
	port?: number
	/** Default 127.0.0.1. */
	host?: string
	publicOrigin?: string
	production?: boolean
	maxImportBytes?: number
	/** How many annotations imports may bring (see defaultAnnotationImportQuota). */
	annotationImportQuota?: Partial<AnnotationImportQuota>
	/** Limits of one document import (see defaultImportLimits). */
	importLimits?: Partial<ImportLimits>
	/** Body limits (see RequestLimitOptions for defaults; the import limit is maxImportBytes). */
	requestLimits?: Partial<RequestLimitOptions>
	/** Settings of the /collab endpoint (see CollabOptions for defaults). */
	collab?: Partial<CollabOptions>
	/** Share live documents with other processes through this Redis. */
	redisUrl?: string
	/**
	 * The collaboration journal's file (see UpdateJournal): edits reach the other
	 * clients before their commit. Unset: they wait for it.
	 */
	collabJournal?: string
	/** Debounce of re-placing a document's anchors after edits, in ms (default 300). */
	placeAnchorsAfterMs?: number
	/** Notifications and email (see NotificationOptions for defaults). */
	notifications?: Partial<NotificationOptions>
	/**
	 * Proxies whose X-Forwarded-For is believed (express's `trust proxy`): a hop
	 * count or addresses/CIDRs. Default none: the socket's peer is the client.
	 */
	trustProxy?: number | string[]
}

export interface ScholionServer {
	httpServer: http.Server
	collab: CollabServer
	annotations: AnnotationService
	publication: PublicationService
	search: SearchService
	notifications: NotificationService
	importer: DocumentImporter
	/** Whether the database holds the demo's well-known accounts (warned of in production). */
	demoAccounts: DemoAccountsCheck
	/** Where it listens, such as http://127.0.0.1:3000. */
	url: string
	close(): Promise<void>
}

const loopbackHosts = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/

/**
 * One HTTP server for the whole app: Remix pages and, from the collaboration
 * issue on, the WebSocket endpoint /collab/:documentId on the same port.
 */
export async function startScholionServer(options: ScholionServerOptions): Promise<ScholionServer> {
	const { database } = options
	const production = options.production ?? false
	const app = express()
	app.disable('x-powered-by')
	try {
		app.set('trust proxy', options.trustProxy ?? false)
	} catch (error) {
		throw new Error(`TRUST_PROXY: ${error instanceof Error ? error.message : String(error)}`)
	}
	const collab = new CollabServer(database.db, { publicOrigin: options.publicOrigin, ...options.collab })
	const annotations = new AnnotationService(database.db, collab, options.placeAnchorsAfterMs)
	annotations.importQuota = { ...annotations.importQuota, ...options.annotationImportQuota }
	const publication = new PublicationService(database.db, collab, annotations)
	const search = new SearchService(database.db, annotations)
	const notifications = new NotificationService(database.db, options.notifications)
	publication.listener = notifications
	const demoAccounts = new DemoAccountsCheck(database.db)
	if (options.collabJournal) {
		const recovered = await collab.useJournal(options.collabJournal, database.location)
		// Their last edits came back from the journal, after their text was last indexed.
		await search.indexStored(recovered)
	}
	await notifications.start(options.redisUrl)
	if (options.redisUrl) {
		const bridge = new RedisBridge(options.redisUrl, collab)
		await bridge.start()
		collab.useBridge(bridge)
	}

	app.use(securityHeaders({ production, publicOrigin: options.publicOrigin }))
	const maxImportBytes = options.maxImportBytes ?? 5 * 1024 * 1024
	// Before everything but the headers, so that an oversized body is refused before anything else looks at the request.
	app.use(requestLimits({ ...options.requestLimits, importBytes: maxImportBytes }))

	app.use((req, res, next) => {
		const refusal = crossOriginRefusal(req, appOriginOf(req, options.publicOrigin))
		if (refusal) {
			res.status(403).type('text/plain').send(`Refused: ${refusal}`)
			return
		}
		next()
	})

	app.get('/healthz', async (_req, res) => {
		try {
			await database.db.execute(sql`select 1`)
			res.json({ status: 'ok', database: database.kind, location: database.location })
		} catch (error) {
			console.error('[healthz] database check failed:', error)
			res.status(503).json({ status: 'unavailable', database: database.kind })
		}
	})

	if (options.devMiddleware) app.use(options.devMiddleware)
	if (options.clientAssetsDir) {
		// Vite fingerprints everything under assets/, so it may be cached for good.
		app.use(
			'/assets',
			express.static(path.join(options.clientAssetsDir, 'assets'), { immutable: true, maxAge: '1y' }),
		)
		app.use(express.static(options.clientAssetsDir, { maxAge: '1h' }))
	}

	// A permalink asked for as JSON-LD goes to its resource route (app/routes/a.*[.jsonld].ts): Remix
	// answers a URL from one route, and a Response from a page's loader would become loader data.
	app.use((req, _res, next) => {
		const target = jsonLdPermalinkPath(req.path)
		if (target) {
			const queryAt = req.originalUrl.indexOf('?')
			const query = queryAt === -1 ? '' : req.originalUrl.slice(queryAt)
			const read = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS'
			if (read && prefersJsonLd(req.get('accept'), new URLSearchParams(query))) {
				req.url = req.originalUrl = target + query
			}
		}
		next()
	})

	app.use(readerPageCache(database.db, sessionCookie.name))

	const importer = new DocumentImporter({ maxBytes: maxImportBytes, limits: options.importLimits })
	app.all(
		'*',
		createCheckedBodyRequestHandler({
			build: options.build,
			mode: production ? 'production' : 'development',
			getLoadContext(req, res): AppLoadContext {
				const appOrigin = appOriginOf(req, options.publicOrigin)
				const host = new URL(appOrigin).host
				return {
					db: database.db,
					databaseKind: database.kind,
					// The socket's peer, or what a trusted proxy says it is (the limits count per client, not per proxy).
					clientAddress: req.ip ?? 'unknown',
					appOrigin,
					// Secure in production, except over plain http on a loopback host, where no
					// browser could otherwise keep the local demo's session.
					secureCookies: production && !(appOrigin.startsWith('http:') && loopbackHosts.test(host)),
					maxImportBytes,
					importer,
					cspNonce: cspNonceOf(res),
					access: collab,
					repairs: collab,
					annotations,
					publication,
					search,
					notifications,
					// Only a production server warns: in development the demo is expected.
					demoAccounts: production ? demoAccounts : null,
				}
			},
		}),
	)

	app.use(answerFailedRequest())

	const httpServer = http.createServer(app)
	guardClientErrors(httpServer)
	httpServer.on('upgrade', (req, socket, head) => {
		if (!collab.handleUpgrade(req, socket, head)) socket.destroy()
	})
	await new Promise<void>((resolve, reject) => {
		httpServer.once('error', reject)
		httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
	})
	const address = httpServer.address() as AddressInfo
	const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address
	notifications.origin = options.publicOrigin ?? `http://${hostForUrl}:${address.port}`
	return {
		httpServer,
		collab,
		annotations,
		publication,
		search,
		notifications,
		importer,
		demoAccounts,
		url: `http://${hostForUrl}:${address.port}`,
		async close() {
			// Sockets first, so their last updates are written before the database closes.
			await collab.close()
			// Text still waiting to be re-indexed is read from what was just stored.
			await search.settle()
			await notifications.close()
			await importer.close()
			await new Promise<void>((resolve, reject) => {
				httpServer.closeAllConnections()
				httpServer.close((error) => (error ? reject(error) : resolve()))
			})
		},
	}
}
