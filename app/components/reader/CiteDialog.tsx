import { useEffect, useId, useRef, useState } from 'react'
import type { Citations } from './types.ts'

interface CitationFormat {
	key: keyof Citations
	label: string
	/** Shown as code (kept verbatim, wrapped) rather than as a sentence. */
	code: boolean
	/** Offered as a file to download: extension and media type. */
	file?: { extension: string; type: string }
}

const formats: CitationFormat[] = [
	{ key: 'apa', label: 'APA', code: false },
	{ key: 'mla', label: 'MLA', code: false },
	{ key: 'chicago', label: 'Chicago', code: false },
	{ key: 'bibtex', label: 'BibTeX', code: true, file: { extension: 'bib', type: 'application/x-bibtex' } },
	{ key: 'ris', label: 'RIS', code: true, file: { extension: 'ris', type: 'application/x-research-info-systems' } },
	{ key: 'cslJson', label: 'CSL-JSON', code: true, file: { extension: 'json', type: 'application/vnd.citationstyles.csl+json' } },
]

interface CiteDialogProps {
	citation: Citations
	/** "Cite this edition", "Cite this annotation". */
	title: string
	/** The downloaded files' name without extension. */
	fileName: string
}

/**
 * The citations of an edition or an annotation version, computed on the
 * server. Without JavaScript they are simply shown in a <details>; once
 * hydrated, a "Cite" button opens them in a modal <dialog> (showModal moves
 * focus into it, Escape closes it, focus returns to the button) with a Copy
 * button for each.
 */
export function CiteDialog({ citation, title, fileName }: CiteDialogProps) {
	const [enhanced, setEnhanced] = useState(false)
	const dialog = useRef<HTMLDialogElement>(null)
	const opener = useRef<HTMLButtonElement>(null)
	const headingId = useId()
	useEffect(() => setEnhanced(true), [])
	useEffect(() => {
		const element = dialog.current
		if (!element) return
		// However it closes (Escape, the Close button), the reader is back where they were.
		const returnFocus = () => opener.current?.focus()
		element.addEventListener('close', returnFocus)
		return () => element.removeEventListener('close', returnFocus)
	}, [enhanced])

	if (!enhanced) {
		return (
			<details className="cite-details">
				<summary>Cite</summary>
				<h2 className="cite-title">{title}</h2>
				<CitationList citation={citation} fileName={fileName} copyable={false} />
			</details>
		)
	}
	return (
		<>
			<button ref={opener} type="button" className="secondary cite-button" aria-haspopup="dialog" onClick={() => dialog.current?.showModal()}>
				Cite
			</button>
			<dialog ref={dialog} className="cite-dialog" aria-labelledby={headingId}>
				<div className="cite-dialog-head">
					<h2 id={headingId} className="cite-title">
						{title}
					</h2>
					<button type="button" className="secondary" onClick={() => dialog.current?.close()}>
						Close
					</button>
				</div>
				<CitationList citation={citation} fileName={fileName} copyable />
			</dialog>
		</>
	)
}

function CitationList({ citation, fileName, copyable }: { citation: Citations; fileName: string; copyable: boolean }) {
	return (
		<dl className="citations">
			{formats.map((format) => {
				const text = citation[format.key]
				return (
					<div key={format.key} className="citation">
						<dt>{format.label}</dt>
						<dd>
							{format.code ? <pre className="citation-code">{text}</pre> : <p className="citation-text">{text}</p>}
							<div className="citation-actions">
								{copyable ? <CopyButton text={text} label={format.label} /> : null}
								{format.file ? (
									<a
										href={`data:${format.file.type};charset=utf-8,${encodeURIComponent(text)}`}
										download={`${fileName}.${format.file.extension}`}
									>
										Download {format.label}
										<span className="sr-only"> file</span>
									</a>
								) : null}
							</div>
						</dd>
					</div>
				)
			})}
		</dl>
	)
}

function CopyButton({ text, label }: { text: string; label: string }) {
	const [message, setMessage] = useState('')
	const copy = async () => {
		try {
			await navigator.clipboard.writeText(text)
			setMessage('Copied')
		} catch {
			// Refused permission or an insecure origin: the text is on screen to select by hand.
			setMessage('Could not copy: select the text and copy it')
		}
	}
	return (
		<>
			<button type="button" className="secondary copy-button" onClick={copy}>
				Copy<span className="sr-only"> {label}</span>
			</button>
			{/* Present before it has anything to say, so screen readers announce the change. */}
			<span role="status" className="copy-status">
				{message}
			</span>
		</>
	)
}
