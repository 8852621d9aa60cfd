// The widget's own styles, scoped by the `mga-` prefix. Sizes are in rem so text resizing works; every
// target is at least 44 by 44 CSS px; focus is always visible; small or zoomed screens (400% zoom is a
// 320 px wide viewport) put the widget into the page flow so nothing overlaps or hides the focus.
export const CSS = `
.mga { font: 1rem/1.5 system-ui, "Noto Sans Georgian", "DejaVu Sans", sans-serif; color: #1b1b1b; }
.mga *, .mga *::before, .mga *::after { box-sizing: border-box; }
.mga-sr { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.mga button, .mga input { font: inherit; min-height: 2.75rem; min-width: 2.75rem; border-radius: 0.375rem; }
.mga button { cursor: pointer; padding: 0.5rem 0.875rem; border: 2px solid #0b4f8a; background: #fff; color: #0b4f8a; }
.mga button.mga-primary, .mga-launcher { background: #0b4f8a; color: #fff; }
.mga button:hover { background: #e8f0f8; color: #083b66; }
.mga button.mga-primary:hover, .mga-launcher:hover { background: #083b66; color: #fff; }
.mga button:focus-visible, .mga input:focus-visible, .mga-msg:focus, .mga-log:focus-visible {
  outline: 3px solid #b35c00; outline-offset: 2px; }
.mga button[aria-pressed="true"], .mga button[aria-checked="true"] { background: #0b4f8a; color: #fff; }
.mga-launcher { position: fixed; right: 1rem; bottom: 1rem; z-index: 2147483000; font-weight: 600; box-shadow: 0 2px 8px rgba(0,0,0,.3); }
.mga-panel { position: fixed; right: 1rem; bottom: 4.5rem; z-index: 2147483001; width: 26rem; max-width: calc(100vw - 2rem);
  max-height: calc(100vh - 6rem); display: flex; flex-direction: column; background: #fff; border: 2px solid #0b4f8a;
  border-radius: 0.5rem; box-shadow: 0 4px 16px rgba(0,0,0,.3); }
.mga-panel[hidden] { display: none; }
/* The fixed launcher and panel must never hide the page's focused element (WCAG 2.4.11). */
html.mga-page { scroll-padding-bottom: 5rem; }
@media (min-width: 40.01rem) and (min-height: 30.01rem) { html.mga-page.mga-open body { margin-right: 28.5rem; } }
.mga-head { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; padding: 0.5rem 0.75rem; border-bottom: 1px solid #6b6b6b; }
.mga-title { font-size: 1.125rem; margin: 0; }
.mga-hintline { margin: 0; padding: 0.25rem 0.75rem; font-size: 0.875rem; color: #4a4a4a; }
.mga-log { flex: 1 1 auto; overflow-y: auto; padding: 0.5rem 0.75rem; min-height: 8rem; }
.mga-msg { margin: 0.5rem 0; padding: 0.5rem 0.75rem; border-radius: 0.5rem; border: 1px solid #6b6b6b; overflow-wrap: anywhere; }
.mga-user { background: #eef3f8; margin-left: 2rem; }
.mga-bot { background: #fff; margin-right: 2rem; }
.mga-who { font-weight: 700; }
.mga-choices { display: flex; flex-direction: column; gap: 0.5rem; margin-top: 0.5rem; }
.mga-choice { text-align: left; }
.mga-hint { font-size: 0.875rem; }
ul.mga-settled { display: block; padding-left: 1.25rem; margin: 0.5rem 0 0; }
.mga-status { min-height: 1.5rem; padding: 0 0.75rem; font-style: italic; color: #4a4a4a; }
.mga-form { display: flex; flex-wrap: wrap; gap: 0.5rem; padding: 0.5rem 0.75rem; border-top: 1px solid #6b6b6b; }
.mga-form label { flex-basis: 100%; font-weight: 600; }
.mga-form input { flex: 1 1 10rem; min-width: 0; padding: 0.25rem 0.5rem; border: 2px solid #4a4a4a; }
.mga-voice { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; padding: 0.5rem 0.75rem; border-top: 1px solid #6b6b6b; }
.mga-rate { font-size: 0.875rem; }
.mga-working::after { content: ""; display: inline-block; width: 0.5rem; height: 0.5rem; margin-left: 0.5rem;
  border-radius: 50%; background: #4a4a4a; animation: mga-pulse 1s infinite alternate; }
@keyframes mga-pulse { from { opacity: 0.2; } to { opacity: 1; } }
@media (max-width: 40rem), (max-height: 30rem) {
  .mga-launcher, .mga-panel { position: static; margin: 1rem 0; box-shadow: none; }
  .mga-panel { width: auto; max-width: none; max-height: none; }
  .mga-log { overflow-y: visible; min-height: 0; }
  .mga-user, .mga-bot { margin-left: 0; margin-right: 0; }
}
@media (prefers-reduced-motion: reduce) {
  .mga *, .mga *::after { animation: none !important; transition: none !important; }
}
@media (prefers-contrast: more) {
  .mga { color: #000; }
  .mga-msg, .mga-head, .mga-form, .mga-voice, .mga-form input { border-color: #000; border-width: 2px; }
  .mga-hintline, .mga-status { color: #000; }
}
@media (forced-colors: active) {
  .mga button, .mga input, .mga-panel, .mga-msg { border: 2px solid ButtonText; forced-color-adjust: auto; }
  .mga button[aria-pressed="true"], .mga button[aria-checked="true"] { border-style: double; border-width: 4px; }
  .mga button:focus-visible, .mga input:focus-visible, .mga-msg:focus { outline: 3px solid Highlight; }
  .mga-working::after { background: CanvasText; }
}
`;
