// SPDX-License-Identifier: MIT
/*
 * accel-exporter: Tessera cards' and their clients' metrics in the
 * Prometheus text format, over HTTP (libmicrohttpd) or into a file for
 * prometheus-node-exporter's textfile collector.
 *
 * It reads what accel-smi reads (smi-sysfs.c: sysfs, hwmon, libpci, DRM
 * fdinfo) and never opens a card.  Each scrape takes a fresh sample;
 * utilisation is over the time since the previous scrape (the first
 * scrape measures over 0.2 s).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "smi.h"

#define EXPORTER_PORT 9776

struct exporter {
	pthread_mutex_t lock;		/* one sample at a time: protects ctx */
	struct smi_ctx ctx;
};

/* A growable text buffer; out of memory is fatal (the process is small). */
struct out {
	char *buf;
	size_t len, cap;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			die("formatting failed");
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		o->cap = o->cap * 2 + (size_t)n + 1;
		o->buf = realloc(o->buf, o->cap);
		if (!o->buf)
			die("out of memory");
	}
}

/* A label value: backslash, double quote and line feed escaped. */
static void label(struct out *o, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			outf(o, "\\%c", *v);
		else if (*v == '\n')
			outf(o, "\\n");
		else
			outf(o, "%c", *v);
	}
}

static void meta(struct out *o, const char *name, const char *type, const char *help)
{
	outf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

struct sample {
	struct smi_card cards[SMI_MAX_CARDS];
	struct smi_info info[SMI_MAX_CARDS];
	size_t n;
	struct smi_scan now;
	char driver[64];
};

/* Card label set: card="N",pci="ADDR" */
static void card_labels(struct out *o, const struct smi_card *c)
{
	outf(o, "card=\"%d\",pci=\"", c->index);
	label(o, c->addr);
	outf(o, "\"");
}

/* One gauge or counter per card, when the card has the value. */
#define PER_CARD(NAME, TYPE, HELP, HAS, VALUE)					\
	do {									\
		meta(o, NAME, TYPE, HELP);					\
		for (size_t i = 0; i < s->n; i++) {				\
			const struct smi_info *in = &s->info[i];		\
										\
			(void)in;						\
			if (!(HAS))						\
				continue;					\
			outf(o, "%s{", NAME);					\
			card_labels(o, &s->cards[i]);				\
			outf(o, "} %.17g\n", (double)(VALUE));			\
		}								\
	} while (0)

/* The same with one extra label, for the two values of a pair. */
#define PER_CARD2(NAME, TYPE, HELP, KEY, V1, HAS1, VAL1, V2, HAS2, VAL2)	\
	do {									\
		meta(o, NAME, TYPE, HELP);					\
		for (size_t i = 0; i < s->n; i++) {				\
			const struct smi_info *in = &s->info[i];		\
										\
			if (HAS1) {						\
				outf(o, "%s{", NAME);				\
				card_labels(o, &s->cards[i]);			\
				outf(o, ",%s=\"%s\"} %.17g\n", KEY, V1, (double)(VAL1)); \
			}							\
			if (HAS2) {						\
				outf(o, "%s{", NAME);				\
				card_labels(o, &s->cards[i]);			\
				outf(o, ",%s=\"%s\"} %.17g\n", KEY, V2, (double)(VAL2)); \
			}							\
		}								\
	} while (0)

static void format_metrics(struct out *o, const struct sample *s)
{
	meta(o, "tessera_cards", "gauge", "Tessera cards bound to the tessera driver.");
	outf(o, "tessera_cards %zu\n", s->n);
	meta(o, "tessera_info", "gauge", "Card identity (value 1).");
	for (size_t i = 0; i < s->n; i++) {
		outf(o, "tessera_info{");
		card_labels(o, &s->cards[i]);
		outf(o, ",serial=\"");
		label(o, s->info[i].serial);
		outf(o, "\",hw_version=\"");
		label(o, s->info[i].hw_version);
		outf(o, "\",driver_version=\"");
		label(o, s->driver);
		outf(o, "\"} 1\n");
	}
	PER_CARD("tessera_runtime_suspended", "gauge",
		 "1 while the card is runtime suspended (D3hot), else 0.",
		 in->pm_state[0], !strcmp(in->pm_state, "suspended"));
	PER_CARD2("tessera_engines", "gauge", "Engines per class.", "class",
		  "compute", in->has_compute_engines, in->compute_engines,
		  "dma", in->has_dma_engines, in->dma_engines);
	PER_CARD2("tessera_utilization_ratio", "gauge",
		  "Engine busy time over the time since the previous scrape, per class (0 to 1).",
		  "class", "compute", in->has_util_compute, in->util_compute / 100.0,
		  "dma", in->has_util_dma, in->util_dma / 100.0);
	PER_CARD("tessera_device_memory_bytes", "gauge", "Device memory (HBM) of the card.",
		 in->has_mem_total, in->mem_total);
	PER_CARD("tessera_device_memory_used_bytes", "gauge",
		 "Device memory in clients' buffers (fdinfo drm-total-hbm).", true, in->hbm_used);
	PER_CARD("tessera_host_memory_used_bytes", "gauge",
		 "Host memory in clients' buffers (fdinfo drm-total-system).", true, in->sys_used);
	PER_CARD("tessera_clients", "gauge", "Open files (clients) on the card.", true,
		 in->nclients);
	PER_CARD("tessera_temperature_celsius", "gauge", "Die temperature.", in->has_temp,
		 in->temp_mc / 1000.0);
	PER_CARD("tessera_temperature_max_celsius", "gauge",
		 "Temperature above which the card throttles its clock.", in->has_temp_max,
		 in->temp_max_mc / 1000.0);
	PER_CARD("tessera_temperature_crit_celsius", "gauge", "Critical temperature.",
		 in->has_temp_crit, in->temp_crit_mc / 1000.0);
	PER_CARD("tessera_temperature_emergency_celsius", "gauge",
		 "The board's thermal trip temperature.", in->has_temp_emerg,
		 in->temp_emerg_mc / 1000.0);
	PER_CARD("tessera_power_watts", "gauge", "Board power.", in->has_power,
		 in->power_uw / 1e6);
	PER_CARD("tessera_power_average_watts", "gauge", "Board power averaged by the card (1 s).",
		 in->has_power_avg, in->power_avg_uw / 1e6);
	PER_CARD("tessera_power_cap_watts", "gauge", "Board power limit.", in->has_power_cap,
		 in->power_cap_uw / 1e6);
	PER_CARD("tessera_energy_joules_total", "counter",
		 "Energy the board used since its power-on.", in->has_energy, in->energy_uj / 1e6);
	PER_CARD("tessera_clock_hertz", "gauge", "Engine clock.", in->has_clock,
		 in->clock_mhz * 1e6);
	PER_CARD2("tessera_ecc_errors_total", "counter",
		  "Device-memory ECC errors since the card's power-on.", "type",
		  "corrected", in->has_ecc_c, in->ecc_c, "uncorrected", in->has_ecc_u, in->ecc_u);
	PER_CARD("tessera_context_faults_total", "counter",
		 "Context errors (faults, invalid commands) since the card's last device reset.",
		 in->has_cf, in->context_faults);
	PER_CARD2("tessera_engine_resets_total", "counter",
		  "Engine resets: counted by the card, or performed by the driver after a hang.",
		  "by", "card", in->has_er, in->engine_resets,
		  "driver", in->has_der, in->drv_engine_resets);
	PER_CARD("tessera_device_resets_total", "counter",
		 "Whole-card resets (the driver's and PCI function resets).", in->has_dder,
		 in->drv_device_resets);
	PER_CARD("tessera_pcie_link_speed_gigatransfers", "gauge",
		 "Current PCIe link speed in GT/s.", in->has_link, in->link_gts);
	PER_CARD("tessera_pcie_link_width", "gauge", "Current PCIe link width (lanes).",
		 in->has_link, in->link_width);

	/* Per process: one series per client (open file) of a card. */
	meta(o, "tessera_process_memory_bytes", "gauge",
	     "A client's buffers per memory region (fdinfo drm-total-*).");
	for (size_t k = 0; k < s->now.n; k++) {
		const struct smi_client *c = &s->now.c[k];
		static const char *const region[2] = { "system", "hbm" };
		const bool has[2] = { c->has_sys, c->has_hbm };
		const uint64_t v[2] = { c->sys_total, c->hbm_total };

		for (size_t i = 0; i < s->n; i++) {
			if (strcmp(c->pdev, s->cards[i].addr))
				continue;
			for (int r = 0; r < 2; r++) {
				if (!has[r])
					continue;
				outf(o, "tessera_process_memory_bytes{");
				card_labels(o, &s->cards[i]);
				outf(o, ",pid=\"%d\",command=\"", c->pid);
				label(o, c->comm);
				outf(o, "\",client_id=\"%llu\",region=\"%s\"} %" PRIu64 "\n", c->id,
				     region[r], v[r]);
			}
		}
	}
	meta(o, "tessera_process_engine_seconds_total", "counter",
	     "A client's engine busy time per class (fdinfo drm-engine-*).");
	for (size_t k = 0; k < s->now.n; k++) {
		const struct smi_client *c = &s->now.c[k];
		static const char *const cls[2] = { "compute", "dma" };
		const bool has[2] = { c->has_compute, c->has_dma };
		const uint64_t v[2] = { c->compute_ns, c->dma_ns };

		for (size_t i = 0; i < s->n; i++) {
			if (strcmp(c->pdev, s->cards[i].addr))
				continue;
			for (int r = 0; r < 2; r++) {
				if (!has[r])
					continue;
				outf(o, "tessera_process_engine_seconds_total{");
				card_labels(o, &s->cards[i]);
				outf(o, ",pid=\"%d\",command=\"", c->pid);
				label(o, c->comm);
				outf(o, "\",client_id=\"%llu\",class=\"%s\"} %.9f\n", c->id, cls[r],
				     v[r] / 1e9);
			}
		}
	}
}

/* A fresh sample of every card, formatted; the caller frees the text. */
static char *scrape(struct exporter *e, size_t *len)
{
	struct sample *s = calloc(1, sizeof(*s));
	struct out o = { 0 };

	if (!s)
		die("out of memory");
	pthread_mutex_lock(&e->lock);
	s->n = find_cards(s->cards, SMI_MAX_CARDS);
	if (!e->ctx.have_prev && s->n) {
		scan_clients(&e->ctx.prev);
		e->ctx.have_prev = true;
		usleep(SMI_SAMPLE_MS * 1000);
	}
	scan_clients(&s->now);
	if (!read_attr("/sys/module/tessera", "version", s->driver, sizeof(s->driver)))
		s->driver[0] = '\0';
	for (size_t i = 0; i < s->n; i++)
		gather(&e->ctx, &s->cards[i], &s->now, &s->info[i]);
	format_metrics(&o, s);
	if (e->ctx.have_prev)
		scan_free(&e->ctx.prev);
	e->ctx.prev = s->now;
	e->ctx.have_prev = true;
	pthread_mutex_unlock(&e->lock);
	free(s);
	*len = o.len;
	return o.buf;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, char *body,
			     size_t len, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *data,
			      size_t *data_size, void **req)
{
	struct exporter *e = cls;
	size_t len;
	char *body;

	(void)version;
	(void)data;
	(void)data_size;
	(void)req;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		body = strdup("only GET\n");
		return body ? reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, body, strlen(body),
				    "text/plain") : MHD_NO;
	}
	if (!strcmp(url, "/metrics")) {
		body = scrape(e, &len);
		return reply(conn, MHD_HTTP_OK, body, len, "text/plain; version=0.0.4; charset=utf-8");
	}
	if (!strcmp(url, "/")) {
		body = strdup("<html><body><a href=\"/metrics\">Tessera metrics</a></body></html>\n");
		return body ? reply(conn, MHD_HTTP_OK, body, strlen(body), "text/html") : MHD_NO;
	}
	body = strdup("not found\n");
	return body ? reply(conn, MHD_HTTP_NOT_FOUND, body, strlen(body), "text/plain") : MHD_NO;
}

/* Write the metrics to @path through a temporary file and a rename. */
static void write_textfile(struct exporter *e, const char *path)
{
	char tmp[PATH_MAX];
	size_t len;
	char *body = scrape(e, &len);
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp))
		die("textfile path too long");
	f = fopen(tmp, "w");
	if (!f)
		die("cannot write %s: %s", tmp, strerror(errno));
	if (fwrite(body, 1, len, f) != len || fclose(f)) {
		unlink(tmp);
		die("cannot write %s: %s", tmp, strerror(errno));
	}
	free(body);
	if (rename(tmp, path)) {
		unlink(tmp);
		die("cannot rename %s to %s: %s", tmp, path, strerror(errno));
	}
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: accel-exporter [--listen [ADDR:]PORT]\n"
"       accel-exporter --textfile PATH [--interval SECONDS | --once]\n"
"       accel-exporter --version\n"
"\n"
"Exports Tessera cards' and their clients' metrics in the Prometheus text\n"
"format: over HTTP at /metrics (default port %d, all addresses), or into\n"
"PATH (e.g. /var/lib/prometheus/node-exporter/tessera.prom for\n"
"prometheus-node-exporter's textfile collector), rewritten every SECONDS\n"
"(default 15) or once.\n"
"\n"
"  -l, --listen [ADDR:]PORT  HTTP address (IPv4) and port\n"
"  -t, --textfile PATH       write PATH instead of serving HTTP\n"
"  -n, --interval SECONDS    textfile: rewrite period\n"
"  -1, --once                textfile: write once and exit\n"
"  -V, --version             print the version and exit\n"
"  -h, --help                this text\n", EXPORTER_PORT);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "textfile", required_argument, NULL, 't' },
		{ "interval", required_argument, NULL, 'n' },
		{ "once", no_argument, NULL, '1' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(EXPORTER_PORT),
				    .sin_addr.s_addr = htonl(INADDR_ANY) };
	static struct exporter e = { .lock = PTHREAD_MUTEX_INITIALIZER };
	const char *textfile = NULL;
	struct MHD_Daemon *d;
	double interval = 15;
	bool once = false;
	sigset_t sigs;
	int sig;
	char *end;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":l:t:n:1Vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l': {
			char host[64];
			const char *colon = strrchr(optarg, ':');
			const char *port = colon ? colon + 1 : optarg;
			long p;

			errno = 0;
			p = strtol(port, &end, 10);
			if (errno || *end || end == port || p < 1 || p > 65535)
				die("invalid port in '%s'", optarg);
			addr.sin_port = htons((uint16_t)p);
			if (colon) {
				if ((size_t)(colon - optarg) >= sizeof(host))
					die("invalid address in '%s'", optarg);
				memcpy(host, optarg, (size_t)(colon - optarg));
				host[colon - optarg] = '\0';
				if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
					die("invalid IPv4 address '%s'", host);
			}
			break;
		}
		case 't':
			textfile = optarg;
			break;
		case 'n':
			errno = 0;
			interval = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(interval > 0) || interval > 86400)
				die("invalid interval '%s' (seconds, > 0)", optarg);
			break;
		case '1':
			once = true;
			break;
		case 'V':
			printf("accel-exporter %s\n", TESSERA_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			die("option '%s' needs a value (see --help)", argv[optind - 1]);
		default:
			if (optopt)
				die("unknown option '-%c' (see --help)", optopt);
			die("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see --help)", argv[optind]);
	if (once && !textfile)
		die("--once needs --textfile");

	e.ctx.pacc = pci_alloc();
	if (!e.ctx.pacc)
		die("libpci: cannot allocate");
	e.ctx.pacc->error = pci_err;
	e.ctx.pacc->warning = pci_quiet;
	e.ctx.pacc->debug = pci_quiet;
	pci_init(e.ctx.pacc);
	/* SIGTERM and SIGINT stop it; blocked here, so every thread has them blocked. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	if (textfile) {
		struct timespec ts = { .tv_sec = (time_t)interval,
				       .tv_nsec = (long)((interval - (double)(time_t)interval) * 1e9) };

		for (;;) {
			write_textfile(&e, textfile);
			if (once || sigtimedwait(&sigs, NULL, &ts) > 0)
				break;
		}
	} else {
		d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL,
				     NULL, handle, &e, MHD_OPTION_SOCK_ADDR, &addr,
				     MHD_OPTION_CONNECTION_TIMEOUT, 30U, MHD_OPTION_END);
		if (!d)
			die("cannot listen on %s:%u", inet_ntoa(addr.sin_addr), ntohs(addr.sin_port));
		fprintf(stderr, "accel-exporter: listening on %s:%u\n", inet_ntoa(addr.sin_addr),
			ntohs(addr.sin_port));
		while (sigwait(&sigs, &sig) || (sig != SIGTERM && sig != SIGINT))
			;
		MHD_stop_daemon(d);
	}
	if (e.ctx.have_prev)
		scan_free(&e.ctx.prev);
	pci_cleanup(e.ctx.pacc);
	return 0;
}
