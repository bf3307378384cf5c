"""Part of make test (scripts/test_report.sh): checks a report page and
Chromium's screenshot of it.  Run with Debian's python3 and python3-pil.

    check_report_page.py PAGE.html SHOT.png WIDTH HEIGHT [name=value ...] [message=KEY]

SHOT - checks the page alone.

- the screenshot has the size asked for, is not blank, and shows a band of
  bar colours for every chart the page says it drew (data-charts);
- the page's figures (data- attributes of the headline and the JSON block)
  agree with each other and equal each name=value given;
- message=KEY: the page shows that message (e.g. no-users, one-branch).
"""
import json
import sys
from html.parser import HTMLParser

from PIL import Image, ImageChops, ImageMath

# the bars' fills in scripts/report.gp: MEMBERSHIP, USER_CREDIT, ALL
BAR_COLOURS = {(0x1B, 0x3B, 0x6F), (0xF5, 0xC0, 0x8A), (0x7F, 0x7F, 0x7F)}


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.charts_attr = None
        self.headline = {}
        self.svgs = 0
        self.figures = []
        self.messages = []
        self.in_json = False
        self.json = ''

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'body':
            self.charts_attr = int(a['data-charts'])
        elif tag == 'dl' and 'cards' in a.get('class', ''):
            self.headline = {k[5:].replace('-', '_'): v for k, v in a.items() if k.startswith('data-')}
        elif tag == 'svg' and a.get('class') == 'chart':
            self.svgs += 1
        elif tag == 'figure':
            self.figures.append(a.get('data-chart'))
        elif tag == 'p' and 'data-message' in a:
            self.messages.append(a['data-message'])
        elif tag == 'script':
            if a.get('type') != 'application/json':
                fail('the page has a script that is not data')
            self.in_json = True

    def handle_endtag(self, tag):
        if tag == 'script':
            self.in_json = False

    def handle_data(self, data):
        if self.in_json:
            self.json += data


def fail(why):
    print('FAIL: report page: ' + why)
    sys.exit(1)


def same(a, b):
    """A figure as JSON has it and as text: numbers compared as numbers."""
    if a is None or b in (None, ''):
        return a is None and b in (None, '')
    try:
        return float(a) == float(b)
    except ValueError:
        return str(a) == str(b)


def bands(img):
    """Vertical runs of rows holding bar colours, gaps under 40 rows merged."""
    w, h = img.size
    r, g, b = img.split()
    mask = Image.new('L', img.size, 0)
    for c in BAR_COLOURS:
        hit = ImageMath.eval('((r == %d) & (g == %d) & (b == %d)) * 255' % c, r=r, g=g, b=b)
        mask = ImageChops.lighter(mask, hit.convert('L'))
    # each row's share of bar pixels; a row counts with 8 or more
    profile = list(mask.resize((1, h), Image.BOX).getdata())
    rows = [y for y, v in enumerate(profile) if v * w / 255 >= 8]
    runs = []
    for y in rows:
        if runs and y - runs[-1][1] < 40:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return [r for r in runs if r[1] - r[0] >= 20]


def main():
    page_path, shot_path, width, height = sys.argv[1:5]
    expect = dict(arg.split('=', 1) for arg in sys.argv[5:])
    message = expect.pop('message', None)

    page = Page()
    with open(page_path, encoding='utf-8') as f:
        html = f.read()
    page.feed(html)
    if 'http://' in html.replace('http://www.w3.org/', '') or 'https://' in html:
        fail('the page refers to the network')
    figures = json.loads(page.json)
    head = figures['headline']
    for name, value in page.headline.items():
        if name in head and not same(head[name], value):
            fail(f'data-{name} is {value}, the JSON says {head[name]}')
    for name, value in expect.items():
        if not same(head.get(name), value):
            fail(f'{name} is {head.get(name)}, expected {value}')
    if page.svgs != page.charts_attr or page.svgs != len([f for f in page.figures if f]):
        fail(f'{page.svgs} charts, data-charts says {page.charts_attr}')
    if message and message not in page.messages:
        fail(f'no message {message} (messages: {page.messages})')

    if shot_path == '-':
        print(f'ok: page {page_path}: figures ' + ', '.join(f'{k}={v}' for k, v in expect.items()))
        return
    img = Image.open(shot_path).convert('RGB')
    if img.size != (int(width), int(height)):
        fail(f'the screenshot is {img.size}, not {width}x{height}')
    ink = ImageChops.difference(img, Image.new('RGB', img.size, (255, 255, 255))).convert('L')
    inked = 1 - ink.histogram()[0] / (img.size[0] * img.size[1])
    if inked < 0.01:
        fail(f'the screenshot is blank ({inked:.1%} drawn)')
    drawn = bands(img)
    if len(drawn) < page.charts_attr or (page.charts_attr == 0 and drawn):
        fail(f'{len(drawn)} bands of bars in the screenshot for {page.charts_attr} charts')
    print(f'ok: page {page_path.rsplit("/", 1)[-1]}: {len(html) // 1024} KB, '
          f'{page.charts_attr} charts drawn in {len(drawn)} bands, {inked:.0%} of the screenshot inked, '
          f'figures {", ".join(f"{k}={v}" for k, v in expect.items()) or "consistent"}'
          + (f', message {message}' if message else ''))


main()
