import { JSDOM } from 'jsdom'
import { describe, expect, test } from 'vitest'
import { renderMarkdown } from './render.ts'

/**
 * Annotation bodies are written by anyone in a group and shown to everyone
 * else, so renderMarkdown is an XSS boundary. The payloads below are the
 * ones the two libraries publish in their own fixtures, used as data:
 * markdown-it's test/fixtures/markdown-it/xss.txt (commit 019bbda) and
 * DOMPurify's test/fixtures/expect.mjs (commit 0d574c0).
 */

/** markdown-it's xss.txt inputs, plus the case and entity variants of the same links. */
const markdownItCases = [
	'[normal link](javascript)',
	'[xss link](javascript:alert(1))',
	'[xss link](JAVASCRIPT:alert(1))',
	'[xss](JaVaScRiPt:alert(1))',
	'[xss link](vbscript:alert(1))',
	'[xss link](VBSCRIPT:alert(1))',
	'[xss link](VbScRiPt:msgbox(1))',
	'[xss link](file:///123)',
	'[xss link](FILE:///etc/passwd)',
	'[xss link](&#34;&#62;&#60;script&#62;alert&#40;&#34;xss&#34;&#41;&#60;/script&#62;)',
	'[xss link](&#74;avascript:alert(1))',
	'[xss](&#x6A;avascript:alert(1))',
	'[xss](&#x6a&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3a;alert(1))',
	'[xss link](&#x26;#74;avascript:alert(1))',
	'[xss link](\\&#74;avascript:alert(1))',
	'[xss link](<javascript:alert(1)>)',
	'[xss link](javascript&#x3A;alert(1))',
	'[xss link](java%0ascript:alert(1))',
	'[xss link]( javascript:alert(1))',
	'![](data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7)',
	'[xss link](data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K)',
	'[xss link](DATA:text/html,<script>alert(1)</script>)',
	'[normal link](/javascript:link)',
	'![xss link](javascript:alert(1))',
	'![xss image](vbscript:alert(1))',
	'<javascript&#x3A;alert(1)>',
	'<javascript:alert(1)>',
	'<JAVASCRIPT:alert(1)>',
	'<vbscript:alert(1)>',
	'<data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>',
	'javascript&#x3A;alert(1)',
	'javascript:alert(1)',
	'[test]: javascript:alert(1)',
	'[reference link][test]\n\n[test]: javascript:alert(1)',
	'[reference link][t]\n\n[t]: data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
	'```js&#32;custom-class\ntest1\n```',
	'```js&#x0C;custom-class\ntest2\n```',
	'<script>alert(1)</script>',
	'<img src=x onerror=alert(1)>',
	'Text with <img src=x onerror=alert(1)> inline HTML and <a href="javascript:alert(1)">a raw link</a>.',
	'<a href="https://example.org" onclick="alert(1)">raw anchor</a>',
	'[link](https://example.org "title\\" onmouseover=\\"alert(1)")',
	'[link](https://example.org) <span onmouseover="alert(1)">hover</span>',
]

/** A representative selection of DOMPurify's expect.mjs payloads. */
const domPurifyPayloads = [
	'<b href="javascript:alert(1)" title="javascript:alert(2)"></b>',
	'<img src="data:,123"><audio src="data:,456"></audio><video src="data:,789"></video><source src="data:,012"><div src="data:,345">',
	'<img src=x name=createElement><img src=y id=createElement>',
	"123<a href='\u2028javascript:alert(1)'>I am a dolphin!</a>",
	"123<a href=' javascript:alert(1)'>CLICK</a><a href='&#xA0javascript:alert(1)'>CLICK</a><a href='&#x1680;javascript:alert(1)'>CLICK</a><a href='&#x200B;javascript:alert(1)'>CLICK</a><a href='&#x3000;javascript:alert(1)'>CLICK</a>",
	'<img src=data:image/jpeg,ab798ewqxbaudbuoibeqbla>',
	'<img src="\r\ndata:image/jpeg,ab798ewqxbaudbuoibeqbla">',
	"<img src='javascript:while(1){}'>",
	'<a href=data:,evilnastystuff>clickme</a>',
	'<form onmouseover=\'alert(1)\'><input name="attributes"><input name="attributes">',
	'<div onclick=alert(0)><form onsubmit=alert(1)><input onfocus=alert(2) name=parentNode>123</form></div>',
	'<style>*{color: red}</style>',
	'<listing>&lt;img onerror="alert(1);//" src=x&gt;<t t></listing>',
	"<img src=x id/=' onerror=alert(1)//'>",
	'<textarea>@shafigullin</textarea><!--</textarea><img src=x onerror=alert(1)>-->',
	'<b><noscript><!-- </noscript><img src=x onerror=alert(1) --></noscript>',
	'<b><noscript><a alt="</noscript><img src=x onerror=alert(1)>"></noscript>',
	'<body><template><s><template><s><img src=x onerror=alert(1)>@shafigullin</s></template></s></template>',
	'<a href="\u0001java\u0003script:alert(1)">@shafigullin<a>',
	'\u0001<option><style></option></select><b><img src=x onerror=alert(1)></style></option>',
	'<option><iframe></select><b><script>alert(1)</script>',
	'<b><style><style/><img src=x onerror=alert(1)>',
	'<image name=body><img src=x><svg onload=alert(1); autofocus>, <keygen onfocus=alert(1); autofocus>',
	'<div onmouseout="javascript:alert(/superevr/)" x=yscript: n>@superevr</div>',
	'<button remove=me onmousedown="javascript:alert(1);" onclick="javascript:alert(1)" >@giutro',
	'<a href="javascript:123" onclick="alert(1)">CLICK ME (bypass by @shafigullin)</a>',
	'<input x=javascript: autofocus onfocus=alert(1)><svg id=1 onload=alert(1)></svg>',
	'<form action="javasc\nript:alert(1)"><button>XXX</button></form>',
	'<div id="1"><form id="foobar"></form><button form="foobar" formaction="javascript:alert(1)">X</button>//["\'`-->]]>]</div>',
	'<div id="10"><video poster=javascript:alert(10)//></video>//["\'`-->]]>]</div>',
	'<div id="11"><svg xmlns="http://www.w3.org/2000/svg"><g onload="javascript:alert(11)"></g></svg>//["\'`-->]]>]</div>',
	'<div id="32"><table background="javascript:alert(32)"></table>//["\'`-->]]>]</div>',
	'<div id="33"><a style="pointer-events:none;position:absolute;"><a style="position:absolute;" onclick="alert(33);">XXX</a></a><a href="javascript:alert(2)">XXX</a>//["\'`-->]]>]</div>',
	'<div id="35">1<a href=#><line xmlns=urn:schemas-microsoft-com:vml style=behavior:url(#default#vml);position:absolute href=javascript:alert(35) strokecolor=white strokeweight=1000px from=0 to=1000 /></a>//["\'`-->]]>]</div>',
	'<div id="37"><!--<img src="--><img src=x onerror=alert(37)//">//["\'`-->]]>]</div>',
	'<![><img src="]><img src=x onerror=alert(39)//">',
	'<svg><![CDATA[><image xlink:href="]]><img src=x onerror=alert(2)//"></svg>//["\'`-->]]>]</div>',
	'<div id="40"><style><img src="</style><img src=x onerror=alert(40)//">//["\'`-->]]>]</div>',
	'<div id="42"><head><base href="javascript://"/></head><body><a href="/. /,alert(42)//#">XXX</a></body>//["\'`-->]]>]</div>',
	'<div id="47"><svg xmlns="http://www.w3.org/2000/svg"><script>alert(47)</script></svg>//["\'`-->]]>]</div>',
	'<div id="50"><object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>//["\'`-->]]>]</div>',
	'<div id="51"><embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></embed>//["\'`-->]]>]</div>',
	'<div id="55"><video><source onerror="alert(55)">//["\'`-->]]>]</div>',
	'<div id="57"><b <script>alert(57)//</script>0</script></b>//["\'`-->]]>]</div>',
	'<div id="63"><embed src="javascript:alert(63)"></embed>\n<img src="javascript:alert(2)">\n<image src="javascript:alert(2)">\n<script src="javascript:alert(3)"></script>//["\'`-->]]>]</div>',
	'<div id="72"><form><button formaction="javascript:alert(72)">X</button>//["\'`-->]]>]</div>',
	'<div id="74"><a href="javascript:alert(74)"><event-source src="data:application/x-dom-event-stream,Event:click%0Adata:XXX%0A%0A" /></a>//["\'`-->]]>]</div>',
	'<div id="87"><svg xmlns="http://www.w3.org/2000/svg">\n<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="javascript:alert(87)"><rect width="1000" height="1000" fill="white"/></a>\n</svg>//["\'`-->]]>]</div>',
	'<div id="89"><svg xmlns="http://www.w3.org/2000/svg">\n<set attributeName="onmouseover" to="alert(89)"/>\n<animate attributeName="onunload" to="alert(89)"/>\n</svg>//["\'`-->]]>]</div>',
	'<div id="96"><iframe src=mhtml:http://html5sec.org/test.html!xss.html></iframe>//["\'`-->]]>]</div>',
]

/** The payload as an annotation body would carry it: alone, and inside ordinary Markdown. */
function inMarkdown(payload: string): string[] {
	const oneLine = payload.replace(/\n/g, ' ')
	return [
		payload,
		`Before the payload ${payload} after it.`,
		`- a list item with ${oneLine}\n- and **bold ${oneLine}**`,
		`> quoted: *${oneLine}*`,
		`[${oneLine}](https://example.org/annotated)`,
		`# ${oneLine}`,
	]
}

/** Every way an element in the output could run script or load a script-bearing URL. */
function dangers(html: string): string[] {
	const found: string[] = []
	const fragment = JSDOM.fragment(html)
	for (const element of fragment.querySelectorAll('*')) {
		const tag = element.tagName.toLowerCase()
		if (['script', 'style', 'iframe', 'object', 'embed', 'svg', 'math', 'form', 'img', 'base', 'link', 'meta'].includes(tag)) {
			found.push(`<${tag}>`)
		}
		for (const attribute of element.attributes) {
			const name = attribute.name.toLowerCase()
			if (name.startsWith('on')) found.push(`${tag}[${name}]`)
			if (['href', 'src', 'xlink:href', 'action', 'formaction', 'poster', 'background', 'data'].includes(name)) {
				// Browsers ignore leading whitespace and control characters and any tab or newline inside a scheme.
				const url = attribute.value.replace(/[\u0000-\u0020\u00a0\u1680\u180e\u2000-\u200b\u2028\u2029\u205f\u3000\ufeff]/g, '')
				if (/^(javascript|vbscript|data|file):/i.test(url)) found.push(`${tag}[${name}=${attribute.value}]`)
			}
		}
		if (tag === 'a' && element.getAttribute('rel') !== 'nofollow noopener ugc') {
			found.push(`<a> without rel="nofollow noopener ugc": ${element.outerHTML}`)
		}
	}
	return found
}

describe('XSS payloads from markdown-it’s fixtures', () => {
	test('the check sees script, handlers, disguised script URLs and unmarked links', () => {
		expect(dangers('<a href=" java\tscript:alert(1)" onclick="alert(2)">x</a><img src="DATA:text/html,x"><script></script>')).toEqual([
			'a[href= java\tscript:alert(1)]',
			'a[onclick]',
			'<a> without rel="nofollow noopener ugc": <a href=" java\tscript:alert(1)" onclick="alert(2)">x</a>',
			'<img>',
			'img[src=DATA:text/html,x]',
			'<script>',
		])
	})

	test.each(markdownItCases)('%s', (source) => {
		expect(dangers(renderMarkdown(source))).toEqual([])
	})

	test('refused links keep their words readable as text', () => {
		const html = renderMarkdown('[xss link](javascript:alert(1))')
		const fragment = JSDOM.fragment(html)
		expect(fragment.querySelector('a')).toBeNull()
		expect(fragment.textContent).toContain('xss link')
	})

	test('raw HTML is shown as text, not run', () => {
		const fragment = JSDOM.fragment(renderMarkdown('<script>alert(1)</script> and <img src=x onerror=alert(1)>'))
		expect(fragment.querySelector('script, img')).toBeNull()
		expect(fragment.textContent).toContain('<script>alert(1)</script>')
		expect(fragment.textContent).toContain('<img src=x onerror=alert(1)>')
	})
})

describe('XSS payloads from DOMPurify’s fixtures, as raw text and inside Markdown', () => {
	const cases = domPurifyPayloads.flatMap((payload) => inMarkdown(payload).map((source) => [source] as const))

	test('there are more than 30 distinct payloads', () => {
		expect(new Set(domPurifyPayloads).size).toBeGreaterThan(30)
	})

	test.each(cases)('%s', (source) => {
		expect(dangers(renderMarkdown(source))).toEqual([])
	})
})

describe('ordinary Markdown', () => {
	test('emphasis, strong, inline code and code blocks render', () => {
		const fragment = JSDOM.fragment(renderMarkdown('Some *emphasis*, **strength** and `code`.\n\n```\nlet x = 1 < 2\n```'))
		expect(fragment.querySelector('em')?.textContent).toBe('emphasis')
		expect(fragment.querySelector('strong')?.textContent).toBe('strength')
		expect(fragment.querySelector('p code')?.textContent).toBe('code')
		expect(fragment.querySelector('pre code')?.textContent).toBe('let x = 1 < 2\n')
	})

	test('bulleted and numbered lists render, a numbered list keeps its start', () => {
		const fragment = JSDOM.fragment(renderMarkdown('- one\n- two\n\n3. three\n4. four'))
		expect([...fragment.querySelectorAll('ul > li')].map((li) => li.textContent)).toEqual(['one', 'two'])
		expect([...fragment.querySelectorAll('ol > li')].map((li) => li.textContent)).toEqual(['three', 'four'])
		expect(fragment.querySelector('ol')?.getAttribute('start')).toBe('3')
	})

	test('links and bare URLs become links marked as user-generated', () => {
		const fragment = JSDOM.fragment(
			renderMarkdown('See [the archive](https://example.org/archive "Archive"), https://example.org/bare, [mail](mailto:a@example.org) and [the intro](#intro).'),
		)
		const links = [...fragment.querySelectorAll('a')]
		expect(links.map((a) => a.getAttribute('href'))).toEqual([
			'https://example.org/archive',
			'https://example.org/bare',
			'mailto:a@example.org',
			'#intro',
		])
		expect(links[0]?.getAttribute('title')).toBe('Archive')
		for (const link of links) expect(link.getAttribute('rel')).toBe('nofollow noopener ugc')
	})

	test('a blockquote and a heading render', () => {
		const fragment = JSDOM.fragment(renderMarkdown('## Source\n\n> “every third resident was shot”'))
		expect(fragment.querySelector('h2')?.textContent).toBe('Source')
		expect(fragment.querySelector('blockquote')?.textContent?.trim()).toBe('“every third resident was shot”')
	})
})
