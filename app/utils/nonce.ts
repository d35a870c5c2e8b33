import { createContext, useContext } from 'react'

/**
 * The Content-Security-Policy nonce of the page being rendered (from the load
 * context, through app/entry.server.tsx), for the inline scripts root.tsx
 * renders. In the browser it is '': browsers hide a nonce from the DOM once the
 * page is parsed, and the scripts it guarded have already run.
 */
export const NonceContext = createContext('')

export const useNonce = () => useContext(NonceContext)
