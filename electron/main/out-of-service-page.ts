/**
 * The static out-of-service page the watchdog shows during a crash loop. It has no script (it must
 * work when the app's own code is what keeps crashing), so every language is on the page at once.
 * Served by the app:// handler from memory, under the same CSP as the app.
 */
export const OUT_OF_SERVICE_PATH = '/__shell/out-of-service.html';
export const OUT_OF_SERVICE_STYLE_PATH = '/__shell/out-of-service.css';

const messages = [
  {
    lang: 'en',
    title: 'This kiosk is temporarily out of service',
    body: 'We are fixing it automatically. Please try again in a few minutes, or ask a member of staff for help.',
    note: 'Nothing you submitted earlier has been lost.',
  },
  {
    lang: 'es',
    title: 'Este quiosco está fuera de servicio por un momento',
    body: 'Lo estamos reparando automáticamente. Vuelva a intentarlo en unos minutos o pida ayuda al personal.',
    note: 'Nada de lo que envió antes se ha perdido.',
  },
] as const;

export const outOfServiceHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Out of service · Fuera de servicio</title>
<link rel="stylesheet" href="${OUT_OF_SERVICE_STYLE_PATH}">
</head>
<body>
<main>
<div class="icon" aria-hidden="true">⚠</div>
${messages
  .map(
    (m) => `<section lang="${m.lang}">
<h1>${m.title}</h1>
<p>${m.body}</p>
<p class="note">${m.note}</p>
</section>`,
  )
  .join('\n')}
</main>
</body>
</html>
`;

export const outOfServiceCss = `html, body { margin: 0; height: 100%; }
body { background: #0b3d5c; color: #fff; font-family: system-ui, "DejaVu Sans", sans-serif;
  display: flex; align-items: center; justify-content: center; user-select: none; }
main { max-width: 60rem; padding: 3rem; text-align: center; }
.icon { font-size: 6rem; line-height: 1; }
section { margin: 2.5rem 0; }
section + section { border-top: 2px solid rgba(255,255,255,0.3); padding-top: 2.5rem; }
h1 { font-size: 2.6rem; margin: 0 0 1rem; }
p { font-size: 1.7rem; line-height: 1.4; margin: 0.5rem 0; }
.note { opacity: 0.85; font-size: 1.4rem; }
`;
