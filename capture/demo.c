/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/font.h"
#include "capture/demo.h"
#include "capture/source.h"
#include "common/frames.h"
#include "common/ipc.h"
#include "common/log.h"

/*
 * A generated desktop, for trying rampart where there is no display: a
 * wallpaper, a terminal whose log scrolls, a monitor with moving bars and
 * a bouncing box, a notes window and a clock.  The screen lives in our own
 * buffer; each frame redraws only what changed, then is copied whole into
 * the slot (whichever slot is free holds an older picture).  A pointer
 * tours the windows, apart from the picture as a DRM cursor plane is: an
 * arrow, and a text cursor over the terminal.
 *
 * With screens=N, several monitors instead (demo-screens.c): a still
 * picture, sent once, with the pointer touring the monitors.
 */

#define DEMO_W			1280
#define DEMO_H			800
#define DEMO_FPS		10

#define TITLE_H			24
#define BAR_H			26

#define COLOR_BAR		0x202428
#define COLOR_BAR_TEXT		0xe0e0e0
#define COLOR_TITLE		0x3a3f46
#define COLOR_TITLE_TEXT	0xdde3ea
#define COLOR_BORDER		0x0c0e10
#define COLOR_WINDOW		0xeceff1
#define COLOR_INK		0x263238
#define COLOR_TERM		0x101418
#define COLOR_TERM_TEXT		0xb8c4b8
#define COLOR_TERM_TIME		0x6fa8dc
#define COLOR_TERM_PROMPT	0x8ae234

/* A part of the picture, in signed pixels (drawing may go past an edge);
 * not the broker's struct rect, which is a part of the screen on the wire. */
struct area {
	int	x, y, w, h;
};

/* The pointer's pictures: X black, . white, blank transparent. */
static const char *const arrow_rows[] = {
	"X           ",
	"XX          ",
	"X.X         ",
	"X..X        ",
	"X...X       ",
	"X....X      ",
	"X.....X     ",
	"X......X    ",
	"X.......X   ",
	"X........X  ",
	"X.........X ",
	"X......XXXXX",
	"X...X..X    ",
	"X..XX..X    ",
	"X.X  X..X   ",
	"XX   X..X   ",
	"X     X..X  ",
	"      X..X  ",
	"       XX   ",
};

static const char *const ibeam_rows[] = {
	"XXX.XXX",
	"...X...",
	"...X...",
	"...X...",
	"...X...",
	"...X...",
	"...X...",
	"...X...",
	"...X...",
	"...X...",
	"...X...",
	"...X...",
	"...X...",
	"...X...",
	"...X...",
	"XXX.XXX",
};

#define ARROW_W		12
#define ARROW_H		19
#define IBEAM_W		7
#define IBEAM_H		16
#define CURSOR_STEP	14		/* pixels a frame */

struct point {
	int	x, y;
};

/* The pointer's tour: terminal, monitor, notes, dock, and back. */
static const struct point tour[] = {
	{ 120, 200 }, { 620, 420 }, { 300, 500 }, { 900, 200 },
	{ 1150, 330 }, { 960, 560 }, { 1180, 680 }, { 640, 780 },
	{ 420, 770 },
};

struct demo {
	uint32_t	*px;		/* DEMO_W x DEMO_H, 0x00RRGGBB */
	uint64_t	 frame;
	uint32_t	 rng;
	time_t		 shown_sec;	/* what the clock shows */
	struct area	 term;		/* text area of the terminal */
	struct area	 bars;		/* the monitor's meters */
	struct area	 pit;		/* where the box bounces */
	int		 box_x, box_y, box_dx, box_dy;
	int		 level[3];	/* meters, 0 .. 100 */
	int		 progress;	/* 0 .. 1000 */
	uint32_t	 pid_base;
	uint32_t	 arrow[ARROW_W * ARROW_H];
	uint32_t	 ibeam[IBEAM_W * IBEAM_H];
	int		 ptr_x, ptr_y;	/* the pointer's hot spot */
	size_t		 ptr_next;	/* the tour's next stop */
	const struct point *stops;	/* the tour */
	size_t		 nstops;
	/* screens=N: the monitors' mode, px their still picture. */
	int		 nscreens;
	struct capture_mode screens;
	struct point	 centres[DEMO_SCREENS_MAX];
};

/* The terminal's text: scale 2, so a cell is 12 x 18 pixels. */
#define TERM_SCALE		2
#define TERM_CELL_W		(FONT_ADVANCE * TERM_SCALE)
#define TERM_LINE_H		((FONT_HEIGHT + 1) * TERM_SCALE)
#define BOX			26

/* Lines of a BMC's journal: a format of up to three numbers, each drawn
 * from its range. */
struct log_template {
	const char	*fmt;
	uint32_t	 lo[3], hi[3];
};

static const struct log_template log_templates[] = {
	{ "sshd[%u]: Accepted publickey for admin", { 900, 0, 0 },
	    { 3000, 0, 0 } },
	{ .fmt = "kernel: ftgmac100 eth0: Link is Up - 1Gbps/Full" },
	{ "systemd[1]: Started Session %u of User admin.", { 2, 0, 0 },
	    { 90, 0, 0 } },
	{ "phosphor-hwmon[%u]: fan%u speed %u RPM", { 400, 0, 2900 },
	    { 420, 5, 5400 } },
	{ "kernel: usb 1-1: new high-speed USB device %u", { 2, 0, 0 },
	    { 9, 0, 0 } },
	{ "ipmid[%u]: sensor 0x%02x reading %u, ok", { 500, 1, 20 },
	    { 500, 0x7f, 90 } },
	{ "CRON[%u]: (root) CMD (run-parts hourly)", { 3000, 0, 0 },
	    { 9000, 0, 0 } },
	{ "nginx[%u]: GET /redfish/v1/Systems 200 %u", { 700, 300, 0 },
	    { 703, 4800, 0 } },
	{ "kernel: EXT4-fs (mmcblk0p%u): re-mounted.", { 1, 0, 0 },
	    { 4, 0, 0 } },
	{ .fmt = "systemd[1]: Reached target Timer Units." },
	{ "kernel: thermal_zone%u: %u millicelsius", { 0, 38000, 0 },
	    { 3, 71000, 0 } },
	{ "chronyd[%u]: Selected source 10.0.0.%u", { 610, 1, 0 },
	    { 610, 4, 0 } },
	{ "dbus-daemon[%u]: Activated service", { 280, 0, 0 },
	    { 280, 0, 0 } },
	{ "phosphor-led[%u]: identify LED %u", { 433, 0, 0 },
	    { 433, 1, 0 } },
	{ "rsyslogd: action 'action-%u' resumed", { 1, 0, 0 },
	    { 12, 0, 0 } },
	{ "kernel: aspeed-video: resolution %ux%u", { 1024, 768, 0 },
	    { 1024, 768, 0 } },
};

static uint32_t
demo_rand(struct demo *d)
{
	/* xorshift32: varied enough for a picture, and reproducible. */
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 17;
	d->rng ^= d->rng << 5;
	return d->rng;
}

static void
fill(struct demo *d, int x, int y, int w, int h, uint32_t color)
{
	for (int j = y; j < y + h; j++)
		for (int i = x; i < x + w; i++)
			d->px[(size_t)j * DEMO_W + i] = color;
}

static void
text(struct demo *d, int x, int y, int scale, uint32_t color, const char *s,
    int maxchars)
{
	font_draw(d->px, DEMO_W, DEMO_H, x, y, scale, color, s, maxchars);
}

static void
wallpaper(struct demo *d)
{
	for (int y = 0; y < DEMO_H; y++) {
		for (int x = 0; x < DEMO_W; x++) {
			/* Diagonal from deep blue to teal, with soft bands. */
			int t = (x + 2 * y) * 256 / (DEMO_W + 2 * DEMO_H);
			int band = ((x + y) / 40) % 2 ? 4 : 0;
			uint32_t r = 20 + t * 20 / 256 + band;
			uint32_t g = 40 + t * 90 / 256 + band;
			uint32_t b = 80 + t * 60 / 256 + band;

			d->px[(size_t)y * DEMO_W + x] = r << 16 | g << 8 | b;
		}
	}
}

/* A window frame with a title bar; returns the client area. */
static struct area
window(struct demo *d, int x, int y, int w, int h, const char *title,
    uint32_t body)
{
	static const uint32_t buttons[] = { 0xfc615d, 0xfdbc40, 0x34c84a };

	fill(d, x + 6, y + 6, w, h, 0x0a1420);		/* shadow */
	fill(d, x, y, w, h, COLOR_BORDER);
	fill(d, x + 1, y + 1, w - 2, TITLE_H, COLOR_TITLE);
	text(d, x + 12, y + 6, 2, COLOR_TITLE_TEXT, title,
	    (w - 100) / (FONT_ADVANCE * 2));
	for (int i = 0; i < 3; i++)
		fill(d, x + w - 70 + i * 20, y + 7, 12, 12, buttons[i]);
	fill(d, x + 1, y + 1 + TITLE_H, w - 2, h - TITLE_H - 2, body);
	return (struct area){ x + 1, y + 1 + TITLE_H, w - 2, h - TITLE_H - 2 };
}

static void
term_line(struct demo *d, int row, const char *s)
{
	int y = d->term.y + row * TERM_LINE_H;
	int cols = d->term.w / TERM_CELL_W;

	fill(d, d->term.x, y, d->term.w, TERM_LINE_H, COLOR_TERM);
	if (s[0] == '$') {
		text(d, d->term.x, y, TERM_SCALE, COLOR_TERM_PROMPT, s, cols);
		return;
	}
	/* "HH:MM:SS " in another colour, like a pretty log viewer. */
	text(d, d->term.x, y, TERM_SCALE, COLOR_TERM_TIME, s,
	    cols < 9 ? cols : 9);
	if (strlen(s) > 9)
		text(d, d->term.x + 9 * TERM_CELL_W, y, TERM_SCALE,
		    COLOR_TERM_TEXT, s + 9, cols - 9);
}

static void
term_scroll(struct demo *d)
{
	struct area *t = &d->term;
	int rows = t->h / TERM_LINE_H;

	for (int y = t->y; y < t->y + (rows - 1) * TERM_LINE_H; y++)
		memmove(d->px + (size_t)y * DEMO_W + t->x,
		    d->px + (size_t)(y + TERM_LINE_H) * DEMO_W + t->x,
		    (size_t)t->w * 4);
}

static void
log_line(struct demo *d, const struct tm *tm, char *buf, size_t len)
{
	const struct log_template *t = &log_templates[demo_rand(d) %
	    (sizeof(log_templates) / sizeof(log_templates[0]))];
	uint32_t v[3];
	int n;

	for (int i = 0; i < 3; i++)
		v[i] = t->lo[i] + demo_rand(d) % (t->hi[i] - t->lo[i] + 1);
	n = snprintf(buf, len, "%02d:%02d:%02d bmc ", tm->tm_hour, tm->tm_min,
	    tm->tm_sec);
	snprintf(buf + n, len - (size_t)n, t->fmt, v[0], v[1], v[2]);
}

static void
clock_draw(struct demo *d, time_t now)
{
	struct tm tm;
	char s[32];
	int w = 20 * FONT_ADVANCE * 2;

	localtime_r(&now, &tm);
	strftime(s, sizeof(s), "%a %d %b  %H:%M:%S", &tm);
	fill(d, DEMO_W - w - 16, 0, w + 16, BAR_H, COLOR_BAR);
	text(d, DEMO_W - w - 8, 6, 2, COLOR_BAR_TEXT, s, 20);
	d->shown_sec = now;
}

static void
monitor_draw(struct demo *d)
{
	static const char *const names[] = { "CPU", "MEM", "NET" };
	static const uint32_t colors[] = { 0x4a90d9, 0x7cb342, 0xf4a742 };
	struct area *b = &d->bars;
	char s[32];
	int full = b->w - 60;

	fill(d, b->x, b->y, b->w, b->h, COLOR_WINDOW);
	for (int i = 0; i < 3; i++) {
		int y = b->y + i * 30;

		text(d, b->x, y + 4, 2, COLOR_INK, names[i], 3);
		fill(d, b->x + 48, y, full, 20, 0xcfd8dc);
		fill(d, b->x + 48, y, full * d->level[i] / 100, 20, colors[i]);
	}
	snprintf(s, sizeof(s), "backup %d.%d%%", d->progress / 10,
	    d->progress % 10);
	text(d, b->x, b->y + 98, 2, COLOR_INK, s, 16);
	fill(d, b->x, b->y + 118, b->w, 14, 0xcfd8dc);
	fill(d, b->x, b->y + 118, b->w * d->progress / 1000, 14, 0x26a69a);
}

static void
cursor_image(uint32_t *dst, const char *const *rows, int w, int h)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			dst[y * w + x] = rows[y][x] == 'X' ? 0xff000000 :
			    rows[y][x] == '.' ? 0xffffffff : 0;
}

/* Towards the next stop of the tour, CURSOR_STEP pixels at most. */
static void
pointer_step(struct demo *d)
{
	int dx = d->stops[d->ptr_next].x - d->ptr_x;
	int dy = d->stops[d->ptr_next].y - d->ptr_y;
	int adx = dx < 0 ? -dx : dx, ady = dy < 0 ? -dy : dy;
	int dist = adx > ady ? adx : ady;

	if (dist <= CURSOR_STEP) {
		d->ptr_x = d->stops[d->ptr_next].x;
		d->ptr_y = d->stops[d->ptr_next].y;
		d->ptr_next = (d->ptr_next + 1) % d->nstops;
		return;
	}
	d->ptr_x += dx * CURSOR_STEP / dist;
	d->ptr_y += dy * CURSOR_STEP / dist;
}

static int
in_area(const struct area *r, int x, int y)
{
	return x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
}

static void
demo_step(struct demo *d)
{
	struct timespec ts;
	struct tm tm;
	char line[160];
	int rows = d->term.h / TERM_LINE_H;
	struct area *p = &d->pit;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != d->shown_sec)
		clock_draw(d, ts.tv_sec);
	localtime_r(&ts.tv_sec, &tm);

	/* A few log lines a second, now and then a burst. */
	for (uint32_t n = demo_rand(d) % 16 == 0 ? 4 : demo_rand(d) % 4 == 0;
	    n > 0; n--) {
		term_scroll(d);
		log_line(d, &tm, line, sizeof(line));
		term_line(d, rows - 1, line);
	}

	for (int i = 0; i < 3; i++) {
		d->level[i] += (int)(demo_rand(d) % 11) - 5;
		if (d->level[i] < 3)
			d->level[i] = 3;
		if (d->level[i] > 97)
			d->level[i] = 97;
	}
	d->progress = (d->progress + 3) % 1001;
	monitor_draw(d);

	fill(d, p->x + d->box_x, p->y + d->box_y, BOX, BOX, COLOR_WINDOW);
	d->box_x += d->box_dx;
	d->box_y += d->box_dy;
	if (d->box_x <= 0 || d->box_x >= p->w - BOX) {
		d->box_dx = -d->box_dx;
		d->box_x = d->box_x <= 0 ? 0 : p->w - BOX;
	}
	if (d->box_y <= 0 || d->box_y >= p->h - BOX) {
		d->box_dy = -d->box_dy;
		d->box_y = d->box_y <= 0 ? 0 : p->h - BOX;
	}
	fill(d, p->x + d->box_x, p->y + d->box_y, BOX, BOX, 0xe8542f);
	pointer_step(d);
	d->frame++;
}

static void
demo_draw_all(struct demo *d)
{
	static const char *const notes[] = {
		"rampart demo screen",
		"",
		"What you see is made by",
		"rampart-capture; what you",
		"type goes to rampart-input.",
		"",
		"The broker that speaks to",
		"you holds no privilege and",
		"cannot write this picture.",
	};
	static const char *const dock[] = {
		"Terminal", "Monitor", "Notes", "Files", "Settings",
	};
	struct timespec ts;
	struct tm tm;
	struct area r;
	char line[160];
	int rows;

	wallpaper(d);
	fill(d, 0, 0, DEMO_W, BAR_H, COLOR_BAR);
	text(d, 12, 6, 2, COLOR_BAR_TEXT, "Activities   bmc.example.net", 40);

	r = window(d, 40, 60, 760, 480, "admin@bmc: ~ - journalctl -f",
	    COLOR_TERM);
	d->term = (struct area){ r.x + 8, r.y + 6, r.w - 16, r.h - 12 };
	rows = d->term.h / TERM_LINE_H;
	term_line(d, 0, "$ journalctl -f");
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	for (int i = 1; i < rows; i++) {
		log_line(d, &tm, line, sizeof(line));
		term_line(d, i, line);
	}

	r = window(d, 840, 60, 400, 340, "System Monitor", COLOR_WINDOW);
	d->bars = (struct area){ r.x + 16, r.y + 14, r.w - 32, 132 };
	d->pit = (struct area){ r.x + 16, r.y + 160, r.w - 32, r.h - 176 };
	fill(d, d->pit.x - 1, d->pit.y - 1, d->pit.w + 2, 1, 0xb0bec5);

	r = window(d, 840, 430, 400, 300, "Notes", COLOR_WINDOW);
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		text(d, r.x + 14, r.y + 14 + (int)i * 26, 2, COLOR_INK,
		    notes[i], 30);

	fill(d, 340, DEMO_H - 40, 600, 36, 0x1c2026);
	for (size_t i = 0; i < sizeof(dock) / sizeof(dock[0]); i++)
		text(d, 356 + (int)i * 118, DEMO_H - 29, 2, COLOR_BAR_TEXT,
		    dock[i], 9);

	clock_draw(d, ts.tv_sec);
	monitor_draw(d);
}

/* screens=N: the monitors, drawn once; the pointer visits each. */
static void *
demo_screens_open(int n, char *why, size_t whylen)
{
	struct demo *d;
	struct capture_mode *m;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	m = &d->screens;
	demo_screens_layout(n, m);
	if ((d->px = calloc((size_t)m->width * m->height, 4)) == NULL) {
		free(d);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	m->stride = m->width * 4;
	m->fourcc = FRAMES_FOURCC_XRGB8888;
	m->fps = DEMO_FPS;
	m->kind = IPC_FRAME_PIXELS;
	m->max_length = (size_t)m->stride * m->height;
	demo_screens_draw(d->px, m);
	d->nscreens = n;
	for (int i = 0; i < n; i++)
		d->centres[i] = (struct point){
		    m->screens[i].x + m->screens[i].width / 2,
		    m->screens[i].y + m->screens[i].height / 2 };
	d->stops = d->centres;
	d->nstops = (size_t)n;
	cursor_image(d->arrow, arrow_rows, ARROW_W, ARROW_H);
	d->ptr_x = d->centres[0].x;
	d->ptr_y = d->centres[0].y;
	return d;
}

static void *
demo_open(const char *arg, const struct source_options *opt, char *why,
    size_t whylen)
{
	struct demo *d;
	int n;

	if (arg != NULL) {
		if ((n = demo_screens_parse(arg, why, whylen)) < 0)
			return NULL;
		return demo_screens_open(n, why, whylen);
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->px = calloc((size_t)DEMO_W * DEMO_H, 4)) == NULL) {
		free(d);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	/* The clock shows local time: read the zone now, as the sandbox
	 * will not let us open /etc/localtime later. */
	tzset();
	d->rng = 0x2545f491;
	d->pid_base = 1200;
	d->level[0] = 35;
	d->level[1] = 60;
	d->level[2] = 15;
	d->box_x = 10;
	d->box_y = 5;
	d->box_dx = 7;
	d->box_dy = 4;
	cursor_image(d->arrow, arrow_rows, ARROW_W, ARROW_H);
	cursor_image(d->ibeam, ibeam_rows, IBEAM_W, IBEAM_H);
	d->stops = tour;
	d->nstops = sizeof(tour) / sizeof(tour[0]);
	d->ptr_x = DEMO_W / 2;
	d->ptr_y = DEMO_H / 2;
	demo_draw_all(d);
	return d;
}

static int
demo_describe(void *state, struct capture_mode *mode)
{
	struct demo *d = state;

	if (d->nscreens > 0) {
		*mode = d->screens;
		return 0;
	}
	*mode = (struct capture_mode){
		.width = DEMO_W,
		.height = DEMO_H,
		.stride = DEMO_W * 4,
		.fourcc = FRAMES_FOURCC_XRGB8888,
		.fps = DEMO_FPS,
		.kind = IPC_FRAME_PIXELS,
		.max_length = (size_t)DEMO_W * 4 * DEMO_H,
	};
	return 0;
}

static int
demo_grab(void *state, uint8_t *dst, size_t size, struct source_frame *f)
{
	struct demo *d = state;
	size_t n = d->nscreens > 0 ? d->screens.max_length :
	    (size_t)DEMO_W * 4 * DEMO_H;

	if (n > size) {
		log_warnx("demo: a slot of %zu bytes is too small", size);
		return -1;
	}
	if (d->nscreens > 0) {
		/* The same picture every time: the loop sends it when a
		 * ring or a viewer is new, else only the pointer moves. */
		pointer_step(d);
		memcpy(dst, d->px, n);
		*f = (struct source_frame){ .length = (uint32_t)n,
		    .damage = d->frame++ == 0 ? SOURCE_DAMAGE_UNKNOWN :
		    SOURCE_DAMAGE_NONE };
		return SOURCE_OK;
	}
	demo_step(d);
	memcpy(dst, d->px, n);
	*f = (struct source_frame){ .length = (uint32_t)n };
	return SOURCE_OK;
}

static int
demo_cursor(void *state, struct source_cursor *k)
{
	struct demo *d = state;

	if (in_area(&d->term, d->ptr_x, d->ptr_y))
		*k = (struct source_cursor){ .image = d->ibeam, .serial = 2,
		    .width = IBEAM_W, .height = IBEAM_H,
		    .hot_x = IBEAM_W / 2, .hot_y = IBEAM_H / 2 };
	else
		*k = (struct source_cursor){ .image = d->arrow, .serial = 1,
		    .width = ARROW_W, .height = ARROW_H };
	k->x = d->ptr_x;
	k->y = d->ptr_y;
	k->visible = 1;
	return 0;
}

static void
demo_close(void *state)
{
	struct demo *d = state;

	free(d->px);
	free(d);
}

const struct source_ops source_demo = {
	.open = demo_open,
	.describe = demo_describe,
	.grab = demo_grab,
	.close = demo_close,
	.cursor = demo_cursor,
};
