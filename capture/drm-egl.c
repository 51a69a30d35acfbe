/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a framebuffer through EGL.  A tiled or compressed buffer (what
 * every GPU's compositor scans out) is laid out the GPU's way, and the CPU
 * cannot read it; the GPU can.  The buffer is imported as an EGLImage
 * (EGL_EXT_image_dma_buf_import with its modifiers), sampled as an
 * external texture, drawn into a plain texture of ours, and read back with
 * glReadPixels.  --capture-method egl does this for every buffer, linear
 * ones too, so that it can be tested where no GPU is.
 *
 * Only libEGL is linked: the GL functions come from eglGetProcAddress
 * (EGL_KHR_get_all_proc_addresses, in Mesa and libglvnd), so a machine
 * needs an EGL driver and nothing else of GL.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <GLES2/gl2ext.h>
#include <drm_fourcc.h>
#include <xf86drm.h>

#include "capture/drm.h"
#include "common/log.h"
#include "sandbox/sandbox.h"

#ifndef GL_PACK_ROW_LENGTH
#define GL_PACK_ROW_LENGTH	0x0D02	/* GLES 3 */
#endif

/* Every GL function we call, looked up once a context is current. */
#define GL_FUNCTIONS(X)							\
	X(PFNGLGETSTRINGPROC, GetString)				\
	X(PFNGLGETERRORPROC, GetError)					\
	X(PFNGLGENTEXTURESPROC, GenTextures)				\
	X(PFNGLDELETETEXTURESPROC, DeleteTextures)			\
	X(PFNGLBINDTEXTUREPROC, BindTexture)				\
	X(PFNGLTEXPARAMETERIPROC, TexParameteri)			\
	X(PFNGLTEXIMAGE2DPROC, TexImage2D)				\
	X(PFNGLEGLIMAGETARGETTEXTURE2DOESPROC, EGLImageTargetTexture2DOES) \
	X(PFNGLGENFRAMEBUFFERSPROC, GenFramebuffers)			\
	X(PFNGLDELETEFRAMEBUFFERSPROC, DeleteFramebuffers)		\
	X(PFNGLBINDFRAMEBUFFERPROC, BindFramebuffer)			\
	X(PFNGLFRAMEBUFFERTEXTURE2DPROC, FramebufferTexture2D)		\
	X(PFNGLCHECKFRAMEBUFFERSTATUSPROC, CheckFramebufferStatus)	\
	X(PFNGLCREATESHADERPROC, CreateShader)				\
	X(PFNGLSHADERSOURCEPROC, ShaderSource)				\
	X(PFNGLCOMPILESHADERPROC, CompileShader)			\
	X(PFNGLGETSHADERIVPROC, GetShaderiv)				\
	X(PFNGLGETSHADERINFOLOGPROC, GetShaderInfoLog)			\
	X(PFNGLDELETESHADERPROC, DeleteShader)				\
	X(PFNGLCREATEPROGRAMPROC, CreateProgram)			\
	X(PFNGLATTACHSHADERPROC, AttachShader)				\
	X(PFNGLBINDATTRIBLOCATIONPROC, BindAttribLocation)		\
	X(PFNGLLINKPROGRAMPROC, LinkProgram)				\
	X(PFNGLGETPROGRAMIVPROC, GetProgramiv)				\
	X(PFNGLGETPROGRAMINFOLOGPROC, GetProgramInfoLog)		\
	X(PFNGLDELETEPROGRAMPROC, DeleteProgram)			\
	X(PFNGLUSEPROGRAMPROC, UseProgram)				\
	X(PFNGLGETUNIFORMLOCATIONPROC, GetUniformLocation)		\
	X(PFNGLUNIFORM1IPROC, Uniform1i)				\
	X(PFNGLUNIFORM4FPROC, Uniform4f)				\
	X(PFNGLVERTEXATTRIBPOINTERPROC, VertexAttribPointer)		\
	X(PFNGLENABLEVERTEXATTRIBARRAYPROC, EnableVertexAttribArray)	\
	X(PFNGLVIEWPORTPROC, Viewport)					\
	X(PFNGLDISABLEPROC, Disable)					\
	X(PFNGLDRAWARRAYSPROC, DrawArrays)				\
	X(PFNGLPIXELSTOREIPROC, PixelStorei)				\
	X(PFNGLREADPIXELSPROC, ReadPixels)

struct gl {
#define GL_MEMBER(type, name)	type name;
	GL_FUNCTIONS(GL_MEMBER)
#undef GL_MEMBER
};

/*
 * Imported images are kept while their dma-buf is among the last few
 * read: a compositor flips between two or three buffers, and an import
 * costs more than a draw.  A dma-buf is known by its inode, which stays
 * the same however often the framebuffer is exported again (the kernel
 * keeps one dma-buf per buffer), and which cannot be reused by another
 * buffer while our image holds a reference to it.
 */
#define EGL_CACHE	4

struct egl_image {
	EGLImageKHR	image;		/* EGL_NO_IMAGE_KHR: a free entry */
	GLuint		tex;
	dev_t		dev[DRM_EGL_MAX_PLANES];
	ino_t		ino[DRM_EGL_MAX_PLANES];
	struct drm_egl_fb fb;		/* the layout; its fds are not kept */
	uint64_t	used;
};

/*
 * What is drawn once at open when the driver compiles shaders to CPU code
 * (llvmpipe): the sampling code is compiled the first time a kind of
 * texture is drawn, into memory made executable, which the sandbox
 * forbids.  llvmpipe compiles one variant per format and per whether the
 * width and the height are powers of two: each format is drawn at four
 * sizes (about a second a format under QEMU's emulation).  Mesa
 * runs kms_swrast on virtio-gpu and vgem only; vgem scans out nothing,
 * and of what virtio-gpu scans out (XRGB8888, ARGB8888 and their BGR
 * orders) the drm source reads these two.  Any other format is refused
 * by drm_egl_read() with a reason rather than killed in the sandbox.
 */
static const uint32_t warm_formats[] = {
	DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888,
};
#define NWARM	(sizeof(warm_formats) / sizeof(warm_formats[0]))
static const uint32_t warm_sizes[][2] = {
	{ 64, 64 }, { 64, 48 }, { 48, 64 }, { 48, 48 },
};
#define NSIZES	(sizeof(warm_sizes) / sizeof(warm_sizes[0]))

struct drm_egl {
	EGLDisplay	dpy;
	EGLContext	ctx;
	struct gl	gl;
	PFNEGLCREATEIMAGEKHRPROC create_image;
	PFNEGLDESTROYIMAGEKHRPROC destroy_image;
	PFNEGLQUERYDMABUFMODIFIERSEXTPROC query_modifiers;

	GLuint		program;
	GLint		u_rect;
	GLuint		fbo;
	GLuint		target;		/* the linear texture drawn into */
	uint32_t	target_w, target_h;
	GLenum		target_format;	/* GL_BGRA_EXT or GL_RGBA */
	int		row_length;	/* GL_PACK_ROW_LENGTH (GLES 3) */

	int		jit;		/* shaders become CPU code */
	int		threads;	/* started by the driver */
	int		probe_fd;	/* the card, ours alone (jit) or -1 */
	uint32_t	warm[NWARM];	/* formats drawn at open, jit only */
	size_t		nwarm;

	struct egl_image cache[EGL_CACHE];
	uint64_t	clock;
	uint8_t		*scratch;
	size_t		scratch_len;
	char		desc[256];
};

static const char *
egl_error_name(EGLint err)
{
	switch (err) {
	case EGL_SUCCESS:		return "EGL_SUCCESS";
	case EGL_NOT_INITIALIZED:	return "EGL_NOT_INITIALIZED";
	case EGL_BAD_ACCESS:		return "EGL_BAD_ACCESS";
	case EGL_BAD_ALLOC:		return "EGL_BAD_ALLOC";
	case EGL_BAD_ATTRIBUTE:		return "EGL_BAD_ATTRIBUTE";
	case EGL_BAD_CONFIG:		return "EGL_BAD_CONFIG";
	case EGL_BAD_CONTEXT:		return "EGL_BAD_CONTEXT";
	case EGL_BAD_DISPLAY:		return "EGL_BAD_DISPLAY";
	case EGL_BAD_MATCH:		return "EGL_BAD_MATCH";
	case EGL_BAD_PARAMETER:		return "EGL_BAD_PARAMETER";
	case EGL_BAD_SURFACE:		return "EGL_BAD_SURFACE";
	default:			return "an EGL error";
	}
}

/* The threads of this process, from /proc; 0 when it cannot say. */
static int
count_threads(void)
{
	struct dirent *de;
	DIR *dir;
	int n = 0;

	if ((dir = opendir("/proc/self/task")) == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/* Whether the space-separated list exts names ext. */
static int
has_ext(const char *exts, const char *ext)
{
	size_t n = strlen(ext);
	const char *p;

	if (exts == NULL)
		return 0;
	for (p = exts; (p = strstr(p, ext)) != NULL; p += n) {
		if ((p == exts || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

static void
fourcc_name(uint32_t fourcc, char name[5])
{
	int i;

	for (i = 0; i < 4; i++) {
		name[i] = (char)(fourcc >> (8 * i));
		if (name[i] < ' ' || name[i] > '~')
			name[i] = '?';
	}
	name[4] = '\0';
}

static const char vertex_shader[] =
	"attribute vec2 pos;\n"
	/* The source rectangle in texture coordinates: x, y, w, h. */
	"uniform vec4 rect;\n"
	"varying vec2 tc;\n"
	"void main() {\n"
	"	tc = rect.xy + (pos * 0.5 + 0.5) * rect.zw;\n"
	"	gl_Position = vec4(pos, 0.0, 1.0);\n"
	"}\n";

/*
 * highp where there is one: a mediump coordinate (10 bits of mantissa)
 * cannot tell texel 2049 from 2050.
 */
static const char fragment_shader[] =
	"#extension GL_OES_EGL_image_external : require\n"
	"#ifdef GL_FRAGMENT_PRECISION_HIGH\n"
	"precision highp float;\n"
	"#else\n"
	"precision mediump float;\n"
	"#endif\n"
	"uniform samplerExternalOES tex;\n"
	"varying vec2 tc;\n"
	"void main() {\n"
	"	gl_FragColor = texture2D(tex, tc);\n"
	"}\n";

static GLuint
egl_shader(struct drm_egl *e, GLenum type, const char *src, char *why,
    size_t whylen)
{
	struct gl *gl = &e->gl;
	GLuint s;
	GLint done = 0;
	char info[256] = "";

	if ((s = gl->CreateShader(type)) == 0) {
		snprintf(why, whylen, "glCreateShader failed");
		return 0;
	}
	gl->ShaderSource(s, 1, &src, NULL);
	gl->CompileShader(s);
	gl->GetShaderiv(s, GL_COMPILE_STATUS, &done);
	if (!done) {
		gl->GetShaderInfoLog(s, sizeof(info), NULL, info);
		snprintf(why, whylen, "the %s shader does not compile: %s",
		    type == GL_VERTEX_SHADER ? "vertex" : "fragment", info);
		gl->DeleteShader(s);
		return 0;
	}
	return s;
}

static int
egl_program(struct drm_egl *e, char *why, size_t whylen)
{
	struct gl *gl = &e->gl;
	GLuint vs, fs;
	GLint done = 0;
	char info[256] = "";

	if ((vs = egl_shader(e, GL_VERTEX_SHADER, vertex_shader, why,
	    whylen)) == 0)
		return -1;
	if ((fs = egl_shader(e, GL_FRAGMENT_SHADER, fragment_shader, why,
	    whylen)) == 0) {
		gl->DeleteShader(vs);
		return -1;
	}
	e->program = gl->CreateProgram();
	gl->AttachShader(e->program, vs);
	gl->AttachShader(e->program, fs);
	gl->BindAttribLocation(e->program, 0, "pos");
	gl->LinkProgram(e->program);
	gl->DeleteShader(vs);
	gl->DeleteShader(fs);
	gl->GetProgramiv(e->program, GL_LINK_STATUS, &done);
	if (!done) {
		gl->GetProgramInfoLog(e->program, sizeof(info), NULL, info);
		snprintf(why, whylen, "the shaders do not link: %s", info);
		return -1;
	}
	gl->UseProgram(e->program);
	gl->Uniform1i(gl->GetUniformLocation(e->program, "tex"), 0);
	e->u_rect = gl->GetUniformLocation(e->program, "rect");
	return 0;
}

/*
 * The texture we draw into, at least w x h.  It only grows: a read of a
 * damaged rectangle draws into its lower left corner.  BGRA when the
 * driver can render to it and read it back as such: glReadPixels then
 * hands over XRGB8888 little-endian as it is.
 */
static int
egl_target(struct drm_egl *e, uint32_t w, uint32_t h, char *why,
    size_t whylen)
{
	struct gl *gl = &e->gl;
	GLenum status;

	if (e->target != 0 && w <= e->target_w && h <= e->target_h)
		return 0;
	if (w < e->target_w)
		w = e->target_w;
	if (h < e->target_h)
		h = e->target_h;
	if (e->target == 0) {
		gl->GenTextures(1, &e->target);
		gl->GenFramebuffers(1, &e->fbo);
	}
	gl->BindTexture(GL_TEXTURE_2D, e->target);
	gl->TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
	gl->TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
	gl->TexImage2D(GL_TEXTURE_2D, 0, e->target_format, (GLsizei)w,
	    (GLsizei)h, 0, e->target_format, GL_UNSIGNED_BYTE, NULL);
	gl->BindFramebuffer(GL_FRAMEBUFFER, e->fbo);
	gl->FramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
	    GL_TEXTURE_2D, e->target, 0);
	status = gl->CheckFramebufferStatus(GL_FRAMEBUFFER);
	if (status != GL_FRAMEBUFFER_COMPLETE && e->target_format != GL_RGBA) {
		e->target_format = GL_RGBA;
		gl->TexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, (GLsizei)w,
		    (GLsizei)h, 0, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
		status = gl->CheckFramebufferStatus(GL_FRAMEBUFFER);
	}
	if (status != GL_FRAMEBUFFER_COMPLETE) {
		snprintf(why, whylen, "cannot draw into a %ux%u texture "
		    "(framebuffer status 0x%x)", w, h, status);
		return -1;
	}
	e->target_w = w;
	e->target_h = h;
	return 0;
}

static void
egl_image_free(struct drm_egl *e, struct egl_image *im)
{
	if (im->image == EGL_NO_IMAGE_KHR)
		return;
	e->gl.DeleteTextures(1, &im->tex);
	e->destroy_image(e->dpy, im->image);
	memset(im, 0, sizeof(*im));
	im->image = EGL_NO_IMAGE_KHR;
}

/* Why the driver refused fb: what it says it can import of that format. */
static void
egl_import_why(struct drm_egl *e, const struct drm_egl_fb *fb, EGLint err,
    char *why, size_t whylen)
{
	EGLuint64KHR mods[64];
	EGLint n = 0, i;
	char name[5];
	int listed = 0;

	fourcc_name(fb->fourcc, name);
	if (!e->query_modifiers(e->dpy, (EGLint)fb->fourcc, 64, mods, NULL,
	    &n) || n == 0) {
		snprintf(why, whylen, "the EGL driver cannot import %s "
		    "%ux%u modifier 0x%llx (%s; it lists no modifiers for "
		    "%s)", name, fb->width, fb->height,
		    (unsigned long long)fb->modifier, egl_error_name(err),
		    name);
		return;
	}
	for (i = 0; i < n; i++)
		if (mods[i] == fb->modifier)
			listed = 1;
	snprintf(why, whylen, "the EGL driver cannot import %s %ux%u "
	    "modifier 0x%llx (%s; the modifier is %s the %d it lists)",
	    name, fb->width, fb->height, (unsigned long long)fb->modifier,
	    egl_error_name(err), listed ? "among" : "not among", (int)n);
}

/*
 * Whether kms_swrast can read fb: it maps what it imports through the
 * card (MAP_DUMB), which the kernel refuses for a buffer that another
 * device exported, and llvmpipe would then read from address 0.  Asked
 * on a descriptor of the same card that is ours alone, as Mesa will ask
 * on its own, so that the handles made here are nobody else's to close.
 */
static int
egl_mappable(struct drm_egl *e, const struct drm_egl_fb *fb, char *why,
    size_t whylen)
{
	struct drm_mode_map_dumb map;
	uint32_t p, handle;
	int r, saved;

	for (p = 0; p < fb->nplanes; p++) {
		if (drmPrimeFDToHandle(e->probe_fd, fb->planes[p].fd,
		    &handle) < 0) {
			snprintf(why, whylen, "plane %u cannot be imported: %s",
			    p, strerror(errno));
			return -1;
		}
		map = (struct drm_mode_map_dumb){ .handle = handle };
		r = drmIoctl(e->probe_fd, DRM_IOCTL_MODE_MAP_DUMB, &map);
		saved = errno;
		drmCloseBufferHandle(e->probe_fd, handle);
		if (r < 0) {
			snprintf(why, whylen, "plane %u comes from another "
			    "device, which kms_swrast cannot map (%s)", p,
			    strerror(saved));
			return -1;
		}
	}
	return 0;
}

static struct egl_image *
egl_import(struct drm_egl *e, const struct drm_egl_fb *fb, char *why,
    size_t whylen)
{
	static const EGLint attr_fd[] = { EGL_DMA_BUF_PLANE0_FD_EXT,
	    EGL_DMA_BUF_PLANE1_FD_EXT, EGL_DMA_BUF_PLANE2_FD_EXT,
	    EGL_DMA_BUF_PLANE3_FD_EXT };
	static const EGLint attr_offset[] = { EGL_DMA_BUF_PLANE0_OFFSET_EXT,
	    EGL_DMA_BUF_PLANE1_OFFSET_EXT, EGL_DMA_BUF_PLANE2_OFFSET_EXT,
	    EGL_DMA_BUF_PLANE3_OFFSET_EXT };
	static const EGLint attr_pitch[] = { EGL_DMA_BUF_PLANE0_PITCH_EXT,
	    EGL_DMA_BUF_PLANE1_PITCH_EXT, EGL_DMA_BUF_PLANE2_PITCH_EXT,
	    EGL_DMA_BUF_PLANE3_PITCH_EXT };
	static const EGLint attr_mod_lo[] = {
	    EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT,
	    EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT,
	    EGL_DMA_BUF_PLANE2_MODIFIER_LO_EXT,
	    EGL_DMA_BUF_PLANE3_MODIFIER_LO_EXT };
	static const EGLint attr_mod_hi[] = {
	    EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT,
	    EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT,
	    EGL_DMA_BUF_PLANE2_MODIFIER_HI_EXT,
	    EGL_DMA_BUF_PLANE3_MODIFIER_HI_EXT };
	struct gl *gl = &e->gl;
	struct egl_image *im, *victim = NULL;
	struct stat st[DRM_EGL_MAX_PLANES];
	EGLint attr[7 + DRM_EGL_MAX_PLANES * 10];
	uint32_t p;
	size_t n = 0, i;
	GLenum err;

	for (p = 0; p < fb->nplanes; p++)
		if (fstat(fb->planes[p].fd, &st[p]) < 0) {
			snprintf(why, whylen, "plane %u: %s", p,
			    strerror(errno));
			return NULL;
		}
	for (i = 0; i < EGL_CACHE; i++) {
		im = &e->cache[i];
		if (im->image == EGL_NO_IMAGE_KHR) {
			if (victim == NULL || victim->image != EGL_NO_IMAGE_KHR)
				victim = im;
			continue;
		}
		if (im->fb.fourcc == fb->fourcc &&
		    im->fb.modifier == fb->modifier &&
		    im->fb.width == fb->width &&
		    im->fb.height == fb->height &&
		    im->fb.nplanes == fb->nplanes) {
			for (p = 0; p < fb->nplanes; p++)
				if (im->dev[p] != st[p].st_dev ||
				    im->ino[p] != st[p].st_ino ||
				    im->fb.planes[p].offset !=
				    fb->planes[p].offset ||
				    im->fb.planes[p].pitch !=
				    fb->planes[p].pitch)
					break;
			if (p == fb->nplanes) {
				im->used = ++e->clock;
				return im;
			}
		}
		if (victim == NULL || (victim->image != EGL_NO_IMAGE_KHR &&
		    im->used < victim->used))
			victim = im;
	}
	egl_image_free(e, victim);
	if (e->jit && egl_mappable(e, fb, why, whylen) < 0)
		return NULL;

	attr[n++] = EGL_WIDTH;
	attr[n++] = (EGLint)fb->width;
	attr[n++] = EGL_HEIGHT;
	attr[n++] = (EGLint)fb->height;
	attr[n++] = EGL_LINUX_DRM_FOURCC_EXT;
	attr[n++] = (EGLint)fb->fourcc;
	for (p = 0; p < fb->nplanes; p++) {
		attr[n++] = attr_fd[p];
		attr[n++] = fb->planes[p].fd;
		attr[n++] = attr_offset[p];
		attr[n++] = (EGLint)fb->planes[p].offset;
		attr[n++] = attr_pitch[p];
		attr[n++] = (EGLint)fb->planes[p].pitch;
		if (fb->modifier != DRM_FORMAT_MOD_INVALID) {
			attr[n++] = attr_mod_lo[p];
			attr[n++] = (EGLint)(fb->modifier & 0xffffffff);
			attr[n++] = attr_mod_hi[p];
			attr[n++] = (EGLint)(fb->modifier >> 32);
		}
	}
	attr[n++] = EGL_NONE;

	victim->image = e->create_image(e->dpy, EGL_NO_CONTEXT,
	    EGL_LINUX_DMA_BUF_EXT, NULL, attr);
	if (victim->image == EGL_NO_IMAGE_KHR) {
		egl_import_why(e, fb, eglGetError(), why, whylen);
		return NULL;
	}
	gl->GenTextures(1, &victim->tex);
	gl->BindTexture(GL_TEXTURE_EXTERNAL_OES, victim->tex);
	gl->TexParameteri(GL_TEXTURE_EXTERNAL_OES, GL_TEXTURE_MIN_FILTER,
	    GL_NEAREST);
	gl->TexParameteri(GL_TEXTURE_EXTERNAL_OES, GL_TEXTURE_MAG_FILTER,
	    GL_NEAREST);
	gl->TexParameteri(GL_TEXTURE_EXTERNAL_OES, GL_TEXTURE_WRAP_S,
	    GL_CLAMP_TO_EDGE);
	gl->TexParameteri(GL_TEXTURE_EXTERNAL_OES, GL_TEXTURE_WRAP_T,
	    GL_CLAMP_TO_EDGE);
	gl->EGLImageTargetTexture2DOES(GL_TEXTURE_EXTERNAL_OES,
	    (GLeglImageOES)victim->image);
	if ((err = gl->GetError()) != GL_NO_ERROR) {
		snprintf(why, whylen, "the imported image cannot be a "
		    "texture (GL error 0x%x)", err);
		egl_image_free(e, victim);
		return NULL;
	}
	victim->fb = *fb;
	for (p = 0; p < fb->nplanes; p++) {
		victim->fb.planes[p].fd = -1;
		victim->dev[p] = st[p].st_dev;
		victim->ino[p] = st[p].st_ino;
	}
	victim->used = ++e->clock;
	return victim;
}

/* In place: RGBA bytes to BGRA, that is XRGB8888 little-endian. */
static void
swizzle_rows(uint8_t *dst, size_t stride, uint32_t w, uint32_t h)
{
	uint32_t x, y;
	uint8_t *p, t;

	for (y = 0; y < h; y++) {
		p = dst + y * stride;
		for (x = 0; x < w; x++, p += 4) {
			t = p[0];
			p[0] = p[2];
			p[2] = t;
		}
	}
}

int
drm_egl_read(struct drm_egl *e, const struct drm_egl_fb *fb, uint32_t x,
    uint32_t y, uint32_t w, uint32_t h, uint8_t *dst, size_t dst_stride,
    char *why, size_t whylen)
{
	static const GLfloat quad[] = { -1, -1, 1, -1, -1, 1, 1, 1 };
	struct gl *gl = &e->gl;
	struct egl_image *im;
	uint8_t *out = dst;
	size_t out_stride = dst_stride, i;
	uint32_t row;
	char name[5];
	GLenum err;

	if (fb->nplanes < 1 || fb->nplanes > DRM_EGL_MAX_PLANES ||
	    w == 0 || h == 0 || x > fb->width || w > fb->width - x ||
	    y > fb->height || h > fb->height - y ||
	    dst_stride < (size_t)w * 4) {
		snprintf(why, whylen, "egl: a read of %ux%u+%u+%u from a "
		    "%ux%u framebuffer of %u planes into rows of %zu bytes",
		    w, h, x, y, fb->width, fb->height, fb->nplanes,
		    dst_stride);
		return -1;
	}
	if (e->jit) {
		for (i = 0; i < e->nwarm; i++)
			if (e->warm[i] == fb->fourcc)
				break;
		if (i == e->nwarm) {
			fourcc_name(fb->fourcc, name);
			snprintf(why, whylen, "%s is not among the formats "
			    "prepared before the sandbox for a driver that "
			    "compiles shaders to CPU code", name);
			return -1;
		}
	}
	if ((im = egl_import(e, fb, why, whylen)) == NULL)
		return -1;
	if (egl_target(e, w, h, why, whylen) < 0)
		return -1;

	/*
	 * Window row 0 (GL's bottom) samples the top row of the rectangle,
	 * and glReadPixels hands over rows from window row 0 upwards: the
	 * rows arrive top first, as dst wants them, without a flip.
	 */
	gl->BindFramebuffer(GL_FRAMEBUFFER, e->fbo);
	gl->Viewport(0, 0, (GLsizei)w, (GLsizei)h);
	gl->UseProgram(e->program);
	gl->BindTexture(GL_TEXTURE_EXTERNAL_OES, im->tex);
	gl->Uniform4f(e->u_rect, (GLfloat)x / fb->width,
	    (GLfloat)y / fb->height, (GLfloat)w / fb->width,
	    (GLfloat)h / fb->height);
	gl->VertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, quad);
	gl->EnableVertexAttribArray(0);
	gl->DrawArrays(GL_TRIANGLE_STRIP, 0, 4);

	if (e->row_length && dst_stride % 4 == 0)
		gl->PixelStorei(GL_PACK_ROW_LENGTH, (GLint)(dst_stride / 4));
	else if (dst_stride != (size_t)w * 4) {
		/* GLES 2 packs rows tightly: through a buffer of our own. */
		out_stride = (size_t)w * 4;
		if (e->scratch_len < out_stride * h) {
			free(e->scratch);
			e->scratch_len = 0;
			if ((e->scratch = malloc(out_stride * h)) == NULL) {
				snprintf(why, whylen, "out of memory");
				return -1;
			}
			e->scratch_len = out_stride * h;
		}
		out = e->scratch;
	}
	gl->ReadPixels(0, 0, (GLsizei)w, (GLsizei)h, e->target_format,
	    GL_UNSIGNED_BYTE, out);
	if (e->row_length && dst_stride % 4 == 0)
		gl->PixelStorei(GL_PACK_ROW_LENGTH, 0);
	if ((err = gl->GetError()) != GL_NO_ERROR) {
		fourcc_name(fb->fourcc, name);
		snprintf(why, whylen, "drawing %s %ux%u failed (GL error "
		    "0x%x)", name, fb->width, fb->height, err);
		return -1;
	}
	if (out != dst)
		for (row = 0; row < h; row++)
			memcpy(dst + row * dst_stride, out + row * out_stride,
			    out_stride);
	if (e->target_format != GL_BGRA_EXT)
		swizzle_rows(dst, dst_stride, w, h);
	return 0;
}

/*
 * Draw each of warm_formats at each of warm_sizes, from a dumb buffer of
 * the card, so that a driver that compiles shaders to CPU code has
 * compiled all it will need before the sandbox forbids making memory
 * executable.  A format the driver does not import is left out.
 */
static int
egl_warm(struct drm_egl *e, int drm_fd, char *why, size_t whylen)
{
	struct drm_mode_create_dumb create = { .width = 64, .height = 64,
	    .bpp = 32 };
	struct drm_mode_destroy_dumb destroy;
	struct drm_egl_fb fb;
	uint8_t pixel[64 * 4];
	char name[5], err[256];
	size_t i, j, k;
	int fd, ok;

	if (drmIoctl(drm_fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) < 0) {
		snprintf(why, whylen, "cannot make a buffer to prepare the "
		    "shaders with: %s", strerror(errno));
		return -1;
	}
	if (drmPrimeHandleToFD(drm_fd, create.handle, DRM_CLOEXEC,
	    &fd) < 0) {
		snprintf(why, whylen, "the card cannot export a buffer as a "
		    "dma-buf: %s", strerror(errno));
		destroy.handle = create.handle;
		drmIoctl(drm_fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
		return -1;
	}
	for (i = 0; i < NWARM; i++) {
		e->warm[e->nwarm++] = warm_formats[i];
		for (j = 0, ok = 1; j < NSIZES && ok; j++) {
			fb = (struct drm_egl_fb){
				.fourcc = warm_formats[i],
				.modifier = DRM_FORMAT_MOD_LINEAR,
				.width = warm_sizes[j][0],
				.height = warm_sizes[j][1], .nplanes = 1,
				.planes[0] = { .fd = fd,
				    .pitch = create.pitch },
			};
			ok = drm_egl_read(e, &fb, 0, 0, 1, 1, pixel,
			    sizeof(pixel), err, sizeof(err)) == 0;
		}
		if (!ok) {
			fourcc_name(warm_formats[i], name);
			log_debug("egl: %s left out: %s", name, err);
			e->nwarm--;
		}
		for (k = 0; k < EGL_CACHE; k++)
			egl_image_free(e, &e->cache[k]);
	}
	close(fd);
	destroy.handle = create.handle;
	drmIoctl(drm_fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	if (e->nwarm == 0) {
		snprintf(why, whylen, "the EGL driver imports none of the "
		    "common formats from this card");
		return -1;
	}
	return 0;
}

/* Whether the EGL device dev is the DRM device rdev (either of its nodes). */
static int
egl_device_is(EGLDeviceEXT dev, dev_t rdev)
{
	PFNEGLQUERYDEVICESTRINGEXTPROC query_string;
	const char *exts, *path;
	struct stat st;

	query_string = (PFNEGLQUERYDEVICESTRINGEXTPROC)
	    eglGetProcAddress("eglQueryDeviceStringEXT");
	if (query_string == NULL)
		return 0;
	exts = query_string(dev, EGL_EXTENSIONS);
	if (!has_ext(exts, "EGL_EXT_device_drm"))
		return 0;
	path = query_string(dev, EGL_DRM_DEVICE_FILE_EXT);
	if (path != NULL && stat(path, &st) == 0 && st.st_rdev == rdev)
		return 1;
	if (!has_ext(exts, "EGL_EXT_device_drm_render_node"))
		return 0;
	path = query_string(dev, EGL_DRM_RENDER_NODE_FILE_EXT);
	return path != NULL && stat(path, &st) == 0 && st.st_rdev == rdev;
}

/* The EGL device of the card, compared by device number. */
static EGLDeviceEXT
egl_find_device(dev_t rdev, char *why, size_t whylen)
{
	PFNEGLQUERYDEVICESEXTPROC query_devices;
	EGLDeviceEXT devs[16];
	EGLint n = 0, i;

	query_devices = (PFNEGLQUERYDEVICESEXTPROC)
	    eglGetProcAddress("eglQueryDevicesEXT");
	if (query_devices == NULL || !query_devices(16, devs, &n)) {
		snprintf(why, whylen, "libEGL lists no devices");
		return EGL_NO_DEVICE_EXT;
	}
	for (i = 0; i < n; i++)
		if (egl_device_is(devs[i], rdev))
			return devs[i];
	/* Mesa 22 lists no card without a render node (vkms, bochs). */
	snprintf(why, whylen, "none of the %d EGL devices is this card",
	    (int)n);
	return EGL_NO_DEVICE_EXT;
}

/*
 * The descriptors of DRM devices open in this process, as a bitmap of the
 * first EGL_MAX_FD: the driver's own descriptor is the one that was not
 * open before eglInitialize().
 */
#define EGL_MAX_FD	1024
#define DRM_MAJOR	226

static void
drm_fds(uint8_t set[EGL_MAX_FD / 8])
{
	struct stat st;
	int fd;

	memset(set, 0, EGL_MAX_FD / 8);
	for (fd = 0; fd < EGL_MAX_FD; fd++)
		if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
		    major(st.st_rdev) == DRM_MAJOR)
			set[fd / 8] |= 1 << (fd % 8);
}

/*
 * The descriptors of DRM devices the driver opened during setup (those
 * not in before): none may stay DRM master, and whether one is the card
 * rdev.  Mesa's surfaceless platform does not say which card its
 * kms_swrast runs on (the display's EGL device is the software one), but
 * its descriptor does.  A primary node opened while nobody is master
 * makes Mesa the master, and a compositor or kmstool started later could
 * not take the display: it is given up at once.
 */
static int
egl_driver_fds(const uint8_t before[EGL_MAX_FD / 8], dev_t rdev)
{
	uint8_t after[EGL_MAX_FD / 8];
	struct stat st;
	int fd, on_card = 0;

	drm_fds(after);
	for (fd = 0; fd < EGL_MAX_FD; fd++) {
		if (!((after[fd / 8] & ~before[fd / 8]) & (1 << (fd % 8))) ||
		    fstat(fd, &st) < 0)
			continue;
		if (drmIsMaster(fd) && drmDropMaster(fd) < 0)
			log_warn("egl: the driver's descriptor %d stays DRM "
			    "master", fd);
		if (st.st_rdev == rdev)
			on_card = 1;
	}
	return on_card;
}

/*
 * A descriptor of the card drm_fd that is ours alone, for egl_mappable().
 * Never DRM master: opened while nobody is, it would be.
 */
static int
egl_probe_fd(int drm_fd, char *why, size_t whylen)
{
	char *name;
	int fd;

	if ((name = drmGetDeviceNameFromFd2(drm_fd)) == NULL) {
		snprintf(why, whylen, "the card has no device name");
		return -1;
	}
	if ((fd = open(name, O_RDWR | O_CLOEXEC)) < 0)
		snprintf(why, whylen, "%s: %s", name, strerror(errno));
	else if (drmIsMaster(fd) && drmDropMaster(fd) < 0)
		log_warn("egl: %s stays DRM master", name);
	free(name);
	return fd;
}

static int
egl_load_gl(struct drm_egl *e, char *why, size_t whylen)
{
#define GL_LOAD(type, name)						\
	if ((e->gl.name = (type)eglGetProcAddress("gl" #name)) == NULL) {	\
		snprintf(why, whylen, "libEGL does not give gl" #name);	\
		return -1;						\
	}
	GL_FUNCTIONS(GL_LOAD)
#undef GL_LOAD
	return 0;
}

/* Undo egl_setup(), whatever part of it was done. */
static void
egl_teardown(struct drm_egl *e)
{
	size_t i;

	if (e->ctx != EGL_NO_CONTEXT) {
		for (i = 0; i < EGL_CACHE; i++)
			egl_image_free(e, &e->cache[i]);
		if (e->program != 0)
			e->gl.DeleteProgram(e->program);
		if (e->fbo != 0)
			e->gl.DeleteFramebuffers(1, &e->fbo);
		if (e->target != 0)
			e->gl.DeleteTextures(1, &e->target);
		eglMakeCurrent(e->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE,
		    EGL_NO_CONTEXT);
		eglDestroyContext(e->dpy, e->ctx);
	}
	if (e->dpy != EGL_NO_DISPLAY)
		eglTerminate(e->dpy);
	e->dpy = EGL_NO_DISPLAY;
	e->ctx = EGL_NO_CONTEXT;
	e->program = e->fbo = e->target = 0;
	e->target_w = e->target_h = 0;
}

/* A display just got: initialise it and make our context current on it. */
static int
egl_setup(struct drm_egl *e, const char *platform, char *why, size_t whylen)
{
	static const char *const need[] = { "EGL_KHR_image_base",
	    "EGL_EXT_image_dma_buf_import",
	    "EGL_EXT_image_dma_buf_import_modifiers",
	    "EGL_KHR_surfaceless_context", "EGL_KHR_no_config_context" };
	static const EGLint ctx_attr[] = { EGL_CONTEXT_CLIENT_VERSION, 2,
	    EGL_NONE };
	const char *exts, *version, *renderer;
	EGLint major, minor;
	size_t i;

	if (e->dpy == EGL_NO_DISPLAY) {
		snprintf(why, whylen, "no display (%s)",
		    egl_error_name(eglGetError()));
		return -1;
	}
	if (!eglInitialize(e->dpy, &major, &minor)) {
		snprintf(why, whylen, "eglInitialize failed (%s)",
		    egl_error_name(eglGetError()));
		return -1;
	}
	exts = eglQueryString(e->dpy, EGL_EXTENSIONS);
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!has_ext(exts, need[i])) {
			snprintf(why, whylen, "the EGL driver (%s) has no %s",
			    eglQueryString(e->dpy, EGL_VENDOR), need[i]);
			return -1;
		}
	e->create_image = (PFNEGLCREATEIMAGEKHRPROC)
	    eglGetProcAddress("eglCreateImageKHR");
	e->destroy_image = (PFNEGLDESTROYIMAGEKHRPROC)
	    eglGetProcAddress("eglDestroyImageKHR");
	e->query_modifiers = (PFNEGLQUERYDMABUFMODIFIERSEXTPROC)
	    eglGetProcAddress("eglQueryDmaBufModifiersEXT");
	if (e->create_image == NULL || e->destroy_image == NULL ||
	    e->query_modifiers == NULL) {
		snprintf(why, whylen, "libEGL does not give the functions "
		    "of its image extensions");
		return -1;
	}
	if (!eglBindAPI(EGL_OPENGL_ES_API) ||
	    (e->ctx = eglCreateContext(e->dpy, EGL_NO_CONFIG_KHR,
	    EGL_NO_CONTEXT, ctx_attr)) == EGL_NO_CONTEXT) {
		snprintf(why, whylen, "no GLES2 context (%s)",
		    egl_error_name(eglGetError()));
		return -1;
	}
	if (!eglMakeCurrent(e->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE,
	    e->ctx)) {
		snprintf(why, whylen, "the context cannot be made current "
		    "(%s)", egl_error_name(eglGetError()));
		eglDestroyContext(e->dpy, e->ctx);
		e->ctx = EGL_NO_CONTEXT;
		return -1;
	}
	if (egl_load_gl(e, why, whylen) < 0)
		return -1;

	exts = (const char *)e->gl.GetString(GL_EXTENSIONS);
	if (!has_ext(exts, "GL_OES_EGL_image_external")) {
		snprintf(why, whylen, "the GL driver has no "
		    "GL_OES_EGL_image_external");
		return -1;
	}
	e->target_format = has_ext(exts, "GL_EXT_texture_format_BGRA8888") &&
	    has_ext(exts, "GL_EXT_read_format_bgra") ? GL_BGRA_EXT : GL_RGBA;
	version = (const char *)e->gl.GetString(GL_VERSION);
	e->row_length = version != NULL &&
	    strncmp(version, "OpenGL ES ", 10) == 0 && version[10] >= '3';
	renderer = (const char *)e->gl.GetString(GL_RENDERER);
	if (renderer == NULL)
		renderer = "?";
	e->jit = strstr(renderer, "llvmpipe") != NULL;
	if (egl_program(e, why, whylen) < 0 ||
	    egl_target(e, 1, 1, why, whylen) < 0)
		return -1;
	/* Every pixel as sampled: nothing blended, nothing dithered. */
	e->gl.Disable(GL_BLEND);
	e->gl.Disable(GL_DITHER);
	snprintf(e->desc, sizeof(e->desc), "%s, %s, EGL %d.%d %s platform%s",
	    renderer, version != NULL ? version : "?", (int)major,
	    (int)minor, platform, e->target_format == GL_BGRA_EXT ?
	    "" : ", RGBA read back");
	return 0;
}

struct drm_egl *
drm_egl_open(int drm_fd, char *why, size_t whylen)
{
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_display;
	struct drm_egl *e;
	struct stat st;
	drmVersionPtr ver;
	EGLDeviceEXT dev;
	const char *client;
	char card[32], dev_why[256], sl_why[256];
	uint8_t before[EGL_MAX_FD / 8];
	int threads;

	if (fstat(drm_fd, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    (ver = drmGetVersion(drm_fd)) == NULL) {
		snprintf(why, whylen, "egl: descriptor %d is not a DRM card",
		    drm_fd);
		return NULL;
	}
	snprintf(card, sizeof(card), "%s", ver->name);
	drmFreeVersion(ver);

	/*
	 * No thread of Mesa's may outlive this call: capabilities belong
	 * to each thread, and the sandbox drops them in the one that enters
	 * it, so a thread started now would keep root's inside it.  llvmpipe
	 * then draws in the calling thread, and Mesa keeps no shader cache
	 * (it would be written by a thread of its own, into the home of the
	 * user the helper starts as).  drm_egl_needs() refuses a driver that
	 * started threads all the same.
	 */
	setenv("LP_NUM_THREADS", "0", 1);
	setenv("MESA_SHADER_CACHE_DISABLE", "true", 1);
	threads = count_threads();

	client = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
	get_display = (PFNEGLGETPLATFORMDISPLAYEXTPROC)
	    eglGetProcAddress("eglGetPlatformDisplayEXT");
	if (!has_ext(client, "EGL_EXT_platform_base") || get_display == NULL) {
		snprintf(why, whylen, "egl: libEGL cannot choose a platform "
		    "(no EGL_EXT_platform_base)");
		return NULL;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		snprintf(why, whylen, "egl: out of memory");
		return NULL;
	}
	e->dpy = EGL_NO_DISPLAY;
	e->ctx = EGL_NO_CONTEXT;
	e->probe_fd = -1;

	/*
	 * First the card's own EGL device: on a machine of several GPUs it
	 * is the one that knows this card's modifiers.  Mesa's surfaceless
	 * platform picks a device by itself, and is the way to its
	 * kms_swrast driver on a card without a render node.
	 */
	drm_fds(before);
	if (!has_ext(client, "EGL_EXT_platform_device"))
		snprintf(dev_why, sizeof(dev_why), "libEGL has no "
		    "EGL_EXT_platform_device");
	else if ((dev = egl_find_device(st.st_rdev, dev_why,
	    sizeof(dev_why))) != EGL_NO_DEVICE_EXT) {
		e->dpy = get_display(EGL_PLATFORM_DEVICE_EXT, dev, NULL);
		if (egl_setup(e, "device", dev_why, sizeof(dev_why)) == 0) {
			if (!e->jit)
				goto ready;
			/*
			 * Mesa 22's kms_swrast on this platform opens the
			 * render node, where dumb buffers cannot be mapped:
			 * llvmpipe would then read from address 0.  The
			 * surfaceless platform opens the primary node.
			 */
			snprintf(dev_why, sizeof(dev_why), "its renderer "
			    "is software, which Mesa runs on the render node "
			    "here: it cannot map buffers");
		}
		egl_teardown(e);
	}
	if (!has_ext(client, "EGL_MESA_platform_surfaceless"))
		snprintf(sl_why, sizeof(sl_why), "libEGL has no "
		    "EGL_MESA_platform_surfaceless");
	else {
		e->dpy = get_display(EGL_PLATFORM_SURFACELESS_MESA,
		    EGL_DEFAULT_DISPLAY, NULL);
		if (egl_setup(e, "surfaceless", sl_why, sizeof(sl_why)) == 0) {
			/*
			 * Mesa's kms_swrast reads a buffer by mapping it
			 * through its own device: one exported by another
			 * card cannot be mapped there (EINVAL), and llvmpipe
			 * then reads from address 0.
			 */
			if (!e->jit || egl_driver_fds(before, st.st_rdev))
				goto ready;
			snprintf(sl_why, sizeof(sl_why), "its renderer is "
			    "software, on another card, which cannot map "
			    "this card's buffers");
		}
		egl_teardown(e);
	}
	snprintf(why, whylen, "egl: no EGL driver imports buffers of this "
	    "%s card: its EGL device: %s; surfaceless platform: %s", card,
	    dev_why, sl_why);
	free(e);
	return NULL;

ready:
	egl_driver_fds(before, st.st_rdev);
	if (e->jit && (e->probe_fd = egl_probe_fd(drm_fd, dev_why,
	    sizeof(dev_why))) < 0) {
		snprintf(why, whylen, "egl: %s", dev_why);
		drm_egl_close(e);
		return NULL;
	}
	if (e->jit && egl_warm(e, drm_fd, dev_why, sizeof(dev_why)) < 0) {
		snprintf(why, whylen, "egl: %s: %s", e->desc, dev_why);
		drm_egl_close(e);
		return NULL;
	}
	if (threads > 0)
		e->threads = count_threads() - threads;
	log_info("egl: reading %s buffers through %s", card, e->desc);
	return e;
}

const char *
drm_egl_describe(const struct drm_egl *e)
{
	return e->desc;
}

void
drm_egl_close(struct drm_egl *e)
{
	if (e == NULL)
		return;
	egl_teardown(e);
	eglReleaseThread();
	if (e->probe_fd >= 0)
		close(e->probe_fd);
	free(e->scratch);
	free(e);
}

/*
 * What reading through Mesa's kms_swrast adds to the drm source's
 * sandbox, measured with strace -f in the guest of tests/vm/egl.py
 * (virtio-gpu, Mesa 22.3) from the first read on, importing new buffers
 * and letting old ones go: drm_egl_open() has loaded the driver and
 * compiled every shader before, and llvmpipe runs no thread of its own
 * (LP_NUM_THREADS=0).  This widens the capture helper's base policy by
 * four DRM ioctls, on any descriptor as every ioctl of a source's needs
 * (of which the drm source itself has MAP_DUMB and GEM_CLOSE), three for
 * Mesa:
 *
 *	DRM_IOCTL_PRIME_FD_TO_HANDLE	import of a framebuffer's dma-buf
 *	DRM_IOCTL_MODE_MAP_DUMB		its mapping offset, asked at each
 *					draw (kms_swrast maps it for llvmpipe
 *					to read, and unmaps it after)
 *	DRM_IOCTL_MODE_DESTROY_DUMB	the handle let go with the image
 *
 * and, by egl_mappable() before each import, DRM_IOCTL_GEM_CLOSE (with
 * PRIME_FD_TO_HANDLE and MAP_DUMB again, on a descriptor of its own).
 *
 * Everything else it calls is in the capture helper's base policy: mmap
 * and munmap (never executable: the shaders were compiled at open), lseek
 * (the size of a dma-buf), fstat, futex (Mesa's locks), getpid,
 * clock_gettime, close.  Mesa's attempts to open its shader cache fail
 * softly (EACCES), and the cache is off anyway.
 */
static const unsigned long kms_swrast_ioctls[] = {
	DRM_IOCTL_PRIME_FD_TO_HANDLE,
	DRM_IOCTL_MODE_MAP_DUMB,
	DRM_IOCTL_MODE_DESTROY_DUMB,
	DRM_IOCTL_GEM_CLOSE,
};

static const struct sandbox_needs kms_swrast_needs = {
	.ioctls = kms_swrast_ioctls,
	.nioctls = sizeof(kms_swrast_ioctls) / sizeof(kms_swrast_ioctls[0]),
};

const struct sandbox_needs *
drm_egl_needs(const struct drm_egl *e, char *why, size_t whylen)
{
	/*
	 * A hardware driver submits work to its GPU and waits for it with
	 * ioctls of its own (i915's execbuffer, amdgpu's command
	 * submission, sync objects): none has been measured here, and a
	 * guess would be either too wide or a kill at the first frame.
	 */
	if (!e->jit) {
		snprintf(why, whylen, "egl: what reading through %s needs "
		    "inside the sandbox has not been measured (only Mesa's "
		    "kms_swrast has)", e->desc);
		return NULL;
	}
	if (e->threads != 0) {
		snprintf(why, whylen, "egl: %s started %d threads, which "
		    "would keep root's capabilities in the sandbox", e->desc,
		    e->threads);
		return NULL;
	}
	return &kms_swrast_needs;
}
