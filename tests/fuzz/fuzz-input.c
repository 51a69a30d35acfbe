/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a compromised broker can send to rampart-input: the input is a
 * sequence of packets, each a length byte and that many bytes, decoded as
 * ipc_recv() does and handed to input_handle() until one is refused, then
 * everything is released as when the channel ends.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/ipc.h"
#include "common/log.h"
#include "input/input.h"
#include "input/sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *sink_state;
	struct input in;
	struct ipc_msg msg;
	char why[256];

	if (sink_state == NULL) {
		log_init("fuzz-input", LOG_LEVEL_ERROR, 0);
		if ((sink_state = sink_log.open("/dev/null", NULL, why,
		    sizeof(why))) == NULL)
			abort();
	}
	/* A log level message of the last input stays behind it. */
	log_set_level(LOG_LEVEL_ERROR);
	input_init(&in, &sink_log, sink_state, 0);
	while (size > 0) {
		size_t len = data[0];

		if (len > size - 1)
			break;
		if (ipc_decode(data + 1, len, 0, &msg, IPC_BRK2IN_FIRST,
		    IPC_BRK2IN_LAST) < 0 || input_handle(&in, &msg) < 0)
			break;
		data += 1 + len;
		size -= 1 + len;
	}
	input_release_all(&in);
	/* Nothing may stay held once everything was released. */
	for (size_t i = 0; i < sizeof(in.keys); i++)
		if (in.keys[i] != 0)
			abort();
	if (in.have_pointer && in.pointer.buttons != 0)
		abort();
	return 0;
}
