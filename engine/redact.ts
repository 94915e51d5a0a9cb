// Credentials never leak: every URL flow shows or records has them replaced by ***.
// A module of its own, so that a task (through the task API) can redact without loading
// the cache index and its clients.

/** A URL as it may be shown: credentials replaced by *** (redis://***@host:6379). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1***@");
}

/** A message with every occurrence of the URL's credentials replaced by ***. */
export function redactText(url: string, text: string): string {
  let out = text.split(url).join(redactUrl(url));
  const cred = /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(url)?.[1];
  if (cred) {
    const pass = cred.includes(":") ? cred.slice(cred.indexOf(":") + 1) : cred;
    let decoded = pass;
    try {
      decoded = decodeURIComponent(pass);
    } catch {
      /* not %-encoded */
    }
    for (const secret of [cred, pass, decoded]) if (secret.length >= 3) out = out.split(secret).join("***");
  }
  return out;
}
