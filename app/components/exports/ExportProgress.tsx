import { useRevalidator } from '@remix-run/react'
import { useEffect, useId } from 'react'

export interface ExportJobView {
	id: string
	label: string
	formatLabel: string
	status: 'running' | 'done' | 'failed'
	done: number
	total: number
	error: string | null
	downloadUrl: string
	filename: string
}

/** How often the page asks again while the export runs (with JavaScript; without it, a meta refresh does). */
export const pollMs = 700

/**
 * A running export's progress: a progress bar with its count in words,
 * announced politely, and the download link once the file is ready.
 */
export function ExportProgress({ job }: { job: ExportJobView }) {
	const revalidator = useRevalidator()
	const labelId = useId()
	useEffect(() => {
		if (job.status !== 'running') return
		const timer = setTimeout(() => revalidator.revalidate(), pollMs)
		return () => clearTimeout(timer)
	}, [job, revalidator])
	const words = job.total === 0 && job.status === 'running' ? 'Counting the annotations…' : `${job.done} of ${job.total} annotations`
	return (
		<section aria-labelledby={labelId} className="export-progress">
			<p id={labelId}>
				<strong>{job.label}</strong> · {job.formatLabel}
			</p>
			<progress max={Math.max(1, job.total)} value={job.status === 'done' ? Math.max(1, job.total) : job.done} aria-labelledby={labelId} data-done={job.done} data-total={job.total}>
				{words}
			</progress>
			<p role="status" aria-live="polite" data-status={job.status}>
				{job.status === 'running' ? `Exporting: ${words}.` : job.status === 'done' ? `Ready: ${job.total} ${job.total === 1 ? 'annotation' : 'annotations'}.` : job.error}
			</p>
			{job.status === 'done' ? (
				<p>
					<a className="button" href={job.downloadUrl} download={job.filename}>
						Download {job.filename}
					</a>
				</p>
			) : null}
		</section>
	)
}
