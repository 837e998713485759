from django.shortcuts import render


def notice_list(request):
    # The public-site issue replaces this with search, filters and pagination.
    from ..models import Announcement
    from ..enums import State

    notices = Announcement.objects.filter(state=State.PUBLISHED).select_related("district")[:20]
    return render(request, "public/notice_list.html", {"notices": notices})
