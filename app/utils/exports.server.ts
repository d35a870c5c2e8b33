import type { AppLoadContext } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { z } from 'zod'
import type { User } from '#db/queries/accounts.ts'
import { exportFormats, startExport, type ExportFormat } from '#server/exports/jobs.ts'
import type { ExportScope } from '#server/exports/collect.ts'
import { fieldErrors, type FieldErrors } from './forms.ts'

/** The bridge from the export routes to server/exports (see ARCHITECTURE.md). */
export { downloadPath, exportFormatLabels, exportFormats, findExport, type ExportFormat } from '#server/exports/jobs.ts'

const exportForm = z.object({
	format: z.enum(exportFormats, { errorMap: () => ({ message: 'Choose a format: CSV, JSON-LD or Markdown.' }) }),
})

/**
 * The export form's action: checks the chosen format and starts the export,
 * then sends the browser to its progress page. Bad input starts nothing and
 * comes back as field errors.
 */
export async function startExportFromForm(
	request: Request,
	context: AppLoadContext,
	user: User,
	scope: ExportScope & { label: string },
): Promise<Response | { errors: FieldErrors }> {
	const parsed = exportForm.safeParse(Object.fromEntries(await request.formData()))
	if (!parsed.success) return { errors: fieldErrors(parsed.error) }
	const job = await startExport({ db: context.db, annotations: context.annotations, origin: context.appOrigin }, user, scope, parsed.data.format as ExportFormat)
	return redirect(`/exports/${job.id}`)
}

export { printableEdition } from '#server/exports/print.ts'
