/*
 * linux.netDevices: moves a host network interface into the container's
 * network namespace (by the pid of a process in it), renaming it on the
 * way, with one RTM_NEWLINK request over rtnetlink.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include "tsr_addon.h"

struct nl_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[256];
};

static void add_attr(struct nl_req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

int tsr_move_net_device(const char *name, pid_t pid, const char *new_name)
{
	unsigned int index = if_nametoindex(name);
	if (index == 0)
		return -1; /* ENODEV */
	if (new_name && (strlen(new_name) == 0 || strlen(new_name) >= IFNAMSIZ)) {
		errno = EINVAL;
		return -1;
	}
	struct nl_req req;
	memset(&req, 0, sizeof req);
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof req.ifi);
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)index;
	uint32_t target = (uint32_t)pid;
	add_attr(&req, IFLA_NET_NS_PID, &target, sizeof target);
	/* with a namespace change, IFLA_IFNAME is the name in the target */
	if (new_name)
		add_attr(&req, IFLA_IFNAME, new_name, strlen(new_name) + 1);

	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int err = 0;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
		err = errno;
	} else {
		char buf[4096];
		ssize_t n;
		do
			n = recv(fd, buf, sizeof buf, 0);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			err = errno;
		} else {
			struct nlmsghdr *h = (struct nlmsghdr *)buf;
			if (!NLMSG_OK(h, (unsigned)n) || h->nlmsg_type != NLMSG_ERROR)
				err = EPROTO;
			else
				err = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
	close(fd);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
