/** Debian's Chromium binary (not the /usr/bin wrapper, which sources /etc/chromium.d). */
export const CHROMIUM = '/usr/lib/chromium/chromium';

/** Headless, without the background traffic that would only hit a closed network. */
export const CHROMIUM_TEST_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Draws text on a canvas and puts the inked pixels and each generic family's text width in the title. */
export const FONT_PAGE = `<title>?</title><canvas id=c width=400 height=60></canvas><script>
const c = document.getElementById('c').getContext('2d');
c.fillStyle = '#fff'; c.fillRect(0, 0, 400, 60); c.fillStyle = '#000';
c.font = '40px sans-serif'; c.fillText('Hello world', 5, 45);
const px = c.getImageData(0, 0, 400, 60).data; let ink = 0;
for (let i = 0; i < px.length; i += 4) if (px[i] < 128) ink++;
const width = (f) => { c.font = '40px ' + f; return Math.round(c.measureText('Hello world iiii').width); };
document.title = JSON.stringify({ ink, sans: width('sans-serif'), serif: width('serif'), mono: width('monospace') });
</script>`;
