/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A capture source: where the frames of rampart-capture come from.  Each
 * source is one file behind this small table of functions; the loop in
 * capture.c knows nothing else about it.  Its name, and what it takes
 * after "NAME:", are in common/registry.c; capture/sources.c maps the
 * names to these tables.
 */
#ifndef RAMPART_CAPTURE_SOURCE_H
#define RAMPART_CAPTURE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "common/ipc.h"

struct sandbox_needs;

/* What a source delivers now. */
struct capture_mode {
	uint32_t	width;
	uint32_t	height;
	uint32_t	stride;		/* bytes per row */
	uint32_t	fourcc;		/* DRM fourcc */
	uint32_t	fps;		/* the rate the source wants, 1 .. 240 */
	uint32_t	kind;		/* enum ipc_frame_kind */
	/*
	 * IPC_TRANSFORM_*: how the picture must be turned to show the
	 * screen upright (a panel mounted sideways, a mirrored scan-out).
	 * It goes with every frame, so that the broker can map pointer
	 * positions to the device's coordinates.
	 */
	uint32_t	transform;
	size_t		max_length;	/* the most bytes one frame can take */
	/*
	 * The monitors in the picture, when the source puts several side
	 * by side in one frame: viewers see them as RFB's screens.  Inside
	 * the frame, at least 1x1, not overlapping, ids distinct
	 * (common/layout.h).  0: one monitor, the whole frame.
	 */
	uint32_t	nscreens;
	struct ipc_screen screens[IPC_SCREENS_MAX];
};

/* What grab() says of the frame it wrote. */
enum source_damage {
	SOURCE_DAMAGE_UNKNOWN = 0,	/* anything may have changed */
	SOURCE_DAMAGE_NONE,		/* the same picture as the last one */
	SOURCE_DAMAGE_RECT,		/* only rect changed */
	SOURCE_DAMAGE_MAP,		/* the source filled *map */
};

struct source_frame {
	/*
	 * In, set by the loop before grab().  map: for IPC_FRAME_PIXELS
	 * modes, where the source may write a map of the tiles that
	 * changed since the frame it grabbed before
	 * (tiles_map_size(width, height) bytes, nonzero where changed,
	 * common/tiles.h), in the slot after the frame; NULL otherwise.
	 * fresh: the loop sends this frame whatever its damage says (the
	 * first of a ring, the first after a resume), so it must be
	 * written whole.
	 */
	uint8_t		*map;
	int		 fresh;

	uint32_t	length;		/* bytes written */
	uint32_t	damage;		/* enum source_damage */
	/* SOURCE_DAMAGE_RECT: inside the mode, width and height >= 1. */
	uint32_t	x, y, width, height;
};

/*
 * The pointer's picture, for sources that know it apart from the frame
 * (DRM's cursor plane, the demo).  image is width * height ARGB8888
 * pixels, rows packed, and stays valid until the next call; serial changes
 * whenever the image does, so that the loop sends a new one only then.
 * The frames a source grabs must not show it: the broker draws it where a
 * viewer cannot, and a viewer that can draws it itself.
 */
struct source_cursor {
	const uint32_t	*image;
	uint32_t	 serial;
	uint32_t	 width, height;	/* 1 .. IPC_CURSOR_MAX_SIDE */
	uint32_t	 hot_x, hot_y;	/* inside the image */
	int32_t		 x, y;		/* of the hot spot, on the screen */
	int		 visible;	/* 0 or 1 */
	uint32_t	 blend;		/* BLEND_* (common/blend.h), 0: pre-multiplied */
};

/*
 * What the command line says for the source beyond its spec: NULL where
 * it says nothing.  Only the sources that use an option look at it.
 */
struct source_options {
	const char	*output;	/* --output NAME|all: which screen */
	const char	*method;	/* --capture-method: how to read it */
};

/* grab(): the frame is in dst. */
#define SOURCE_OK		0
/* grab(): the mode changed; describe() again, grab into a new ring. */
#define SOURCE_MODE_CHANGED	1

struct source_ops {
	/*
	 * Open the source while the process still holds its privileges.
	 * arg is what follows "NAME:" (NULL when there is none), opt the
	 * options of the command line.  Returns the source's state, or NULL
	 * with a reason written to why.
	 */
	void		*(*open)(const char *arg, const struct source_options *opt,
			    char *why, size_t whylen);
	int		 (*describe)(void *state, struct capture_mode *mode);
	/*
	 * Write the next frame, whole, into dst (size bytes, at least the
	 * mode's max_length: a slot holds an older frame, so a source
	 * never writes only what changed) and describe it in *frame.
	 * A frame that is the same as the one before (SOURCE_DAMAGE_NONE,
	 * or SOURCE_DAMAGE_MAP with no tile marked) is not sent unless it
	 * is fresh: then the source may leave dst alone.  With
	 * SOURCE_DAMAGE_MAP the map is of the frame grabbed before, and
	 * the length is the mode's stride * height.  Returns SOURCE_OK,
	 * SOURCE_MODE_CHANGED (nothing written), or -1 with a logged
	 * reason.
	 */
	int		 (*grab)(void *state, uint8_t *dst, size_t size,
			    struct source_frame *frame);
	void		 (*close)(void *state);

	/*
	 * Optional: a descriptor that is readable when a frame is ready
	 * (V4L2).  The loop then grabs when it is, and sets no timer; the
	 * mode's fps is only a hint.  NULL, or -1: frames on a timer.
	 */
	int		 (*fd)(void *state);
	/*
	 * Optional: where the pointer is and what it looks like, asked
	 * after every frame.  Returns 0, or -1 with a logged reason.
	 */
	int		 (*cursor)(void *state, struct source_cursor *cursor);
	/*
	 * What the sandbox must still allow this source once it is open
	 * (its device's ioctls, a capability): the capture helper's policy
	 * is the base one plus exactly this.  NULL: nothing more.
	 */
	const struct sandbox_needs *needs;
};

extern const struct source_ops source_replay;
extern const struct source_ops source_demo;
extern const struct source_ops source_drm;
extern const struct source_ops source_fbdev;

/*
 * 1 when some DRM card has a connected connector on an active CRTC, with
 * its device path in path; 0 with the reason in why.  For "auto".
 */
int	drm_probe(char *path, size_t pathlen, char *why, size_t whylen);
/*
 * 1 when path (a framebuffer device) exists and answers
 * FBIOGET_VSCREENINFO, with its mode in words in why; 0 with the reason
 * in why ("no /dev/fb0").  For "auto".
 */
int	fbdev_probe(const char *path, char *why, size_t whylen);

/*
 * The ops of a registry id (enum registry_source); NULL for none, and for
 * "auto", which has no code of its own: source_open() picks a source.
 */
const struct source_ops *source_ops_of(int id);
/*
 * Open the source that *id names, with arg (what follows "NAME:") and
 * opt, while the process still holds its privileges.  For "auto", the
 * best source this machine has now is picked and opened (see
 * source_open_auto), and *id becomes its id.  Returns its state with *ops
 * set, or NULL with the reason in why.
 */
void	*source_open(int *id, const char *arg, const struct source_options *opt,
	    const struct source_ops **ops, char *why, size_t whylen);
/*
 * "auto": drm where a CRTC is lit (drm_probe), else fbdev where fbpath
 * answers (fbdev_probe), else demo; one info line says which and why.  A
 * source that is found but does not open is passed over with a warning.
 */
void	*source_open_auto(const char *fbpath, const struct source_options *opt,
	    int *id, const struct source_ops **ops, char *why, size_t whylen);

#endif
